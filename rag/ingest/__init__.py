"""Reading reports: files (text, PDF, Word) to sections, tables, structured facts and passages."""
