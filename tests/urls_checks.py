"""Message views for the route checks: entries no route reaches (functionalkit.E009), a message
no request can fill (functionalkit.E011)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

from annotated_types import MultipleOf
from django.urls import include, path
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.routers import SimpleRouter

from django_functionalkit.messages import Message, Query
from django_functionalkit.rest import MessageAPIView, MessageViewSet
from tests.testapp.messages import CancelOrder, CountItems, GetGreeting, PlaceOrder


class GreetingViewSet(MessageViewSet):
    """Routed by a router; "retreive" is a typo, "count" an @action, "confirm" neither."""

    messages: ClassVar[dict[str, type[Message]]] = {
        "list": GetGreeting,
        "retreive": GetGreeting,
        "count": CountItems,
        "confirm": CancelOrder,
    }

    @action(detail=False)
    def count(self, request: Request) -> Any:
        return self.handle_message(request)


class OrderViewSet(MessageViewSet):
    """Routed by hand for listing only: its create entry is never reached."""

    messages: ClassVar[dict[str, type[Message]]] = {"list": CountItems, "create": PlaceOrder}


class OrderView(MessageAPIView):
    """Keyed by HTTP method; "list" is no method."""

    messages: ClassVar[dict[str, type[Message]]] = {
        "get": CountItems,
        "post": PlaceOrder,
        "list": CountItems,
    }


class NeverRoutedViewSet(MessageViewSet):
    """Not in any URLconf: not the check's business."""

    messages: ClassVar[dict[str, type[Message]]] = {"retreive": GetGreeting}


@dataclass(frozen=True)
class GetStep(Query[int]):
    """A constraint the message serializer cannot enforce."""

    size: Annotated[int, MultipleOf(5)]


class StepView(MessageAPIView):
    messages: ClassVar[dict[str, type[Message]]] = {"get": GetStep}


router = SimpleRouter()
router.register("greetings", GreetingViewSet, basename="greeting")

urlpatterns = [
    path("api/", include(router.urls)),
    path("orders/", OrderViewSet.as_view({"get": "list"})),
    path("order/", OrderView.as_view()),
    path("step/", StepView.as_view()),
]
