"""Imported by discovery only when the app is installed with the discovering config."""

from django_functionalkit import handler
from tests.testapp_undiscovered.messages import Whisper


@handler
def whisper(query: Whisper) -> str:
    return "psst"
