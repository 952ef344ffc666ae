{ "Family", "MODEL(", "", "", "" },
