"""Follow-up actions (落实事项): what a meeting asked an organisation to do, and by when."""
