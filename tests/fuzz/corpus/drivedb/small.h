/*
 * A drive database written for weargate's tests: the grammar of smartmontools' drivedb.h.
 */
  { "VERSION: 7.3 $Id: drivedb.h 100 2024-01-01 00:00:00Z test $",
    "-", "-",
    "Version information",
    ""
  },
  { "DEFAULT",
    "-", "-",
    "Default settings",
    "-v 1,raw48,Raw_Read_Error_Rate "
    "-v 5,raw16(raw16),Reallocated_Sector_Ct "
    "-v 9,raw24(raw8),Power_On_Hours "
    "-v 10,raw48,Spin_Retry_Count,HDD "
    "-v 177,raw48,Wear_Leveling_Count,SSD "
    "-v 194,tempminmax,Temperature_Celsius "
    "-v 197,raw48,Current_Pending_Sector"
  },
  { "Example SSDs", // a comment after a string
    "KINGSTON SA400S37(120|240|480)G|" // joined
    "EXAMPLE [0-9]+",
    "", "",
    "-v 5,raw48,Retired_Block_Count "
    "-v 231,raw48,SSD_Life_Left "
    "-v 170,raw24/raw24:z54z10,Bad_Blk_Ct_Erl/Lat"
  },
  { "Example HDDs with a firmware bug",
    "HGST HTS7250[0-9]0A7E630",
    "GH2O.*",
    "A firmware update is available.\n"
    "See \"the vendor\" \\ page.",
    "-v 9,minutes -v 197,increasing -F samsung"
  },
  { "$Disabled entry", "CT1000MX500SSD1", "", "", "-v 197,raw48,Bogus_Current_Pend_Sect" },
  { "USB: Example bridge; JMicron",
    "0x152d:0x2329",
    "",
    "",
    "-d sat"
  },
