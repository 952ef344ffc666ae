{ "Fam\ily", "MODEL", "", "", "" },
