{ "Byte orders", "CT1000MX500SSD1", "M3CR0[0-9][0-9]", "",
  "-v 1,raw64:543210wv,A -v 2,hex56 -v 3,raw24/raw32:210zr54,B -v 4,raw48:54+ -v N,hex48 -v 9,msec24hour32 -v 194,10xCelsius -v 202,raw48,Percent_Lifetime_Remain" },
