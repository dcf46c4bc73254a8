"""The dialogue: its state across turns, feedback, the ranking request made of it, and the grounded explanations and answers about items."""
