"""Rule packs: the pack model, its loader and the selection of rules for a file."""
