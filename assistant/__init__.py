"""The conversational recommender: understanding, dialogue state, ranking orchestration and replies."""

from assistant.models import Preferences, Recommendation, Reply, Session

__all__ = ["Preferences", "Recommendation", "Reply", "Session"]
