"""What the Streamlit app shows: escaping and layout helpers shared by its views."""
