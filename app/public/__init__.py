"""What a community shows strangers without a login (issue 16, item 1): owners' result
notices and the bulletin of their poll, published minutes, and notices marked public."""
