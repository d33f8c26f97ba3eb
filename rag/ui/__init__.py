"""What the Streamlit app shows. Modules without Streamlit (swedish, chat, scope, markup, charts,
uploads, render, roles) hold the logic and are tested directly; the views (loading, welcome,
answer_view, feedback, sidebar, upload_view) draw it, and `app.py` wires them."""
