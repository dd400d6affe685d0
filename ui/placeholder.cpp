// replaced by the main window sources
