{ "VERSION: 1", "-", "-", "", "" },
{ "Family", "MODEL", "", "warning
", "" },
