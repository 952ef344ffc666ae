{ "Family", "MODEL", "", "" }
