"""Pages that belong to no one feature: home, privacy notice, display preferences."""
