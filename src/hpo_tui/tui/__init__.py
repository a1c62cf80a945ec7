"""The Textual app: grid → study table → trial detail, diverged panel, export shortcut."""
