"""Getting back into an account: a code by SMS, or a paper code from committee staff."""
