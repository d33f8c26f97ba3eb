"""The page's own CSS: a smaller title, tables that scroll rather than overflow, a phone layout."""

CSS = """
<style>
h1 {font-size: 1.6rem !important; padding-top: 0.2rem !important;}
[data-testid="stMarkdownContainer"] table {display: block; overflow-x: auto; max-width: 100%;}
[data-testid="stMarkdownContainer"] td, [data-testid="stMarkdownContainer"] th {white-space: nowrap;}
[data-testid="stFileUploaderDropzoneInstructions"] {display: none;}
[data-testid="stFileUploaderDropzone"] button[data-testid="stBaseButton-secondary"] {font-size: 0 !important;}
[data-testid="stFileUploaderDropzone"] button[data-testid="stBaseButton-secondary"]::after {
  content: "Välj fil"; font-size: 0.9rem;}
@media (max-width: 640px) {
  h1 {font-size: 1.2rem !important;}
  .block-container {padding-left: 0.6rem !important; padding-right: 0.6rem !important; padding-top: 2.6rem !important;}
  [data-testid="stChatMessage"] {padding: 0.3rem !important; gap: 0.4rem !important;}
  [data-testid="stChatMessageAvatarUser"], [data-testid="stChatMessageAvatarAssistant"] {display: none;}
}
</style>
"""
