"""Pure schemas and rules; imports nothing else from storyreel."""
