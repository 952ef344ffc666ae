{ "Family", "MODEL", "", "",
  "-v 5,raw47,Reallocated_Sector_Ct" },
