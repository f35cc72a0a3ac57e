"""The orders API: place an order (the guide's ProcessOrderCommand) and read it back."""

from __future__ import annotations

from typing import Any, ClassVar

from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse

from django_functionalkit.messages import Message
from django_functionalkit.rest import PROBLEM_CONTENT_TYPE, MessageViewSet
from django_functionalkit.rest.schema import MessageSchema

from .messages import GetOrder, ProcessOrder


class OrderSchema(MessageSchema):
    """Says how placing an order can fail besides what the message alone tells the schema: a
    declined card (400) and an unknown customer, whose id comes in the body (404)."""

    def get_response_serializers(self) -> Any:
        responses = super().get_response_serializers()
        if self.message_type() is not ProcessOrder:
            return responses
        problem = responses[("400", PROBLEM_CONTENT_TYPE)].response
        responses[("400", PROBLEM_CONTENT_TYPE)] = OpenApiResponse(
            problem,
            "The input is invalid (`errors` names each field's problems), or the card was "
            "declined (code `payment_declined`).",
        )
        responses[("404", PROBLEM_CONTENT_TYPE)] = OpenApiResponse(
            problem, "No customer has this `customer_id`."
        )
        return dict(sorted(responses.items(), key=lambda item: _status(item[0])))


def _status(key: Any) -> str:
    return str(key[0] if isinstance(key, tuple) else key)


class OrderViewSet(MessageViewSet):
    """Place an order (POST, 201 with its location) and read one."""

    schema = OrderSchema()
    messages: ClassVar[dict[str, type[Message]]] = {"create": ProcessOrder, "retrieve": GetOrder}
    url_fields: ClassVar[dict[str, str]] = {"pk": "order_id"}

    def created_location(self, value: Any) -> str:
        return reverse("order-detail", args=[value.id])
