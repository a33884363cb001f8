"""The home page, the privacy notice and display preferences: pages that gather every
feature, so this package sits above all of them."""
