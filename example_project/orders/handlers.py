"""Handlers of the orders app: the guide's ProcessOrderHandler as one railway chain, and the
two handlers of its OrderProcessedEvent."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django_functionalkit import (
    CommandHandler,
    Failure,
    FieldError,
    Invalid,
    Option,
    Result,
    Success,
    Unit,
    Valid,
    Validation,
    handler,
    is_failure,
    messenger,
    partition,
    unit,
)
from django_functionalkit.delivery.policy import RetryPolicy
from django_functionalkit.errors import Conflict, Error, InvalidInput, NotFound
from example_project.users.mail import send_once

from .messages import (
    ConfirmReservations,
    GetOrder,
    OrderDto,
    OrderItemRequest,
    OrderProcessed,
    ProcessedItem,
    ProcessOrder,
)
from .models import Customer, Order, OrderItem, Reservation
from .services import CARD_NUMBER, Charge, InventoryService, PaymentService, card_digits

# -- what the order has become after each step of the chain ------------------------------------


@dataclass(frozen=True)
class ValidatedOrder:
    """The guide's ValidatedOrderCommand: the command and its customer, who may order."""

    command: ProcessOrder
    customer: Customer


@dataclass(frozen=True)
class ReservedOrder:
    """The guide's OrderWithInventory: every item's units are held."""

    validated: ValidatedOrder
    reservations: list[Reservation]

    @property
    def total(self) -> Decimal:
        return sum((r.product.price * r.quantity for r in self.reservations), Decimal(0))


@dataclass(frozen=True)
class PaidOrder:
    reserved: ReservedOrder
    charge: Charge


# -- ProcessOrder ----------------------------------------------------------------------------


@handler
class ProcessOrderHandler(CommandHandler[ProcessOrder, Result[OrderDto, Error]]):
    """The guide's ProcessOrderHandler; its services can be given, as the guide injects them.

    The default ``TransactionBehavior`` runs it in one transaction: when a step fails, the
    reservations made so far roll back with everything else. The steps also release them
    themselves, as the guide does, so the handler does not depend on that.
    """

    def __init__(
        self, inventory: InventoryService | None = None, payments: PaymentService | None = None
    ) -> None:
        self.inventory = inventory or InventoryService()
        self.payments = payments or PaymentService()

    def handle(self, command: ProcessOrder) -> Result[OrderDto, Error]:
        start: Result[ProcessOrder, Error] = Success(command)
        return (
            start.then(self.validate_command)
            .then(self.validate_customer)
            .then(self.reserve_inventory)
            .then(self.process_payment)
            .then(self.create_order)
            .then_do(self.publish_order_events)
            .map(OrderDto.from_model)
        )

    def validate_command(self, command: ProcessOrder) -> Result[ProcessOrder, Error]:
        """Every problem of the input at once, each naming its field."""
        card = card_digits(command.payment.card_number)
        return (
            Validation.all(
                check(bool(command.items), "items", "Order must contain at least one item"),
                *(check_quantity(index, item) for index, item in enumerate(command.items)),
                check(
                    CARD_NUMBER.fullmatch(card) is not None,
                    "payment.card_number",
                    "Enter a card number of 12 to 19 digits",
                ),
            )
            .to_result()
            .map(lambda _: command)
            .map_error(InvalidInput.of)
        )

    def validate_customer(self, command: ProcessOrder) -> Result[ValidatedOrder, Error]:
        customer = Customer.objects.filter(pk=command.customer_id).first()
        return (
            Option.of(customer)
            .to_result(NotFound(f"Customer {command.customer_id} not found"))
            .ensure(
                lambda c: c.is_active,
                Conflict("Customer account is inactive", code="customer_inactive"),
            )
            .ensure(
                lambda c: c.can_place_orders,
                Conflict("Customer cannot place orders", code="customer_cannot_order"),
            )
            .map(lambda c: ValidatedOrder(command, c))
        )

    def reserve_inventory(self, validated: ValidatedOrder) -> Result[ReservedOrder, Error]:
        """Reserve every item; if any fails, release the ones that succeeded (as the guide)."""
        results = [
            self.inventory.reserve(item.product_id, item.quantity)
            for item in validated.command.items
        ]
        reservations, errors = partition(results)
        if errors:
            self.inventory.release_all(reservations)
            return Failure(reservation_failure(results))
        return Success(ReservedOrder(validated, reservations))

    def process_payment(self, reserved: ReservedOrder) -> Result[PaidOrder, Error]:
        """Charge the card for the total; a declined card gives the reserved units back."""
        return (
            self.payments.charge(reserved.validated.command.payment, reserved.total)
            .map(lambda charge: PaidOrder(reserved, charge))
            .tap_error(lambda _: self.inventory.release_all(reserved.reservations))
        )

    def create_order(self, paid: PaidOrder) -> Result[Order, Error]:
        reserved = paid.reserved
        order = Order.objects.create(
            customer=reserved.validated.customer,
            total=paid.charge.amount,
            charge_id=paid.charge.id,
            card_last4=paid.charge.card_last4,
        )
        OrderItem.objects.bulk_create(
            OrderItem(
                order=order, product=r.product, quantity=r.quantity, unit_price=r.product.price
            )
            for r in reserved.reservations
        )
        Reservation.objects.filter(pk__in=[r.pk for r in reserved.reservations]).update(order=order)
        return Success(order)

    def publish_order_events(self, order: Order) -> None:
        """Delivered once the command's transaction commits, never after a rollback."""
        lines = order.items.select_related("product").order_by("pk")
        messenger.publish(
            OrderProcessed(
                order_id=order.pk,
                customer_id=order.customer_id,
                total=order.total,
                items=[
                    ProcessedItem(
                        line.product_id, line.product.name, line.quantity, line.unit_price
                    )
                    for line in lines
                ],
                processed_at=order.created_at,
            )
        )


def check(ok: bool, name: str, message: str) -> Validation[Unit, FieldError]:
    return Valid(unit) if ok else Invalid(FieldError(name, message))


def check_quantity(index: int, item: OrderItemRequest) -> Validation[Unit, FieldError]:
    return check(item.quantity > 0, f"items.{index}.quantity", "Quantity must be positive")


def reservation_failure(results: list[Result[Reservation, Error]]) -> Error:
    """One error for the failed reservations: unknown products are invalid input (they come in
    the body, as DRF answers for a related object that does not exist), else out of stock."""
    failed = [(index, r.error) for index, r in enumerate(results) if is_failure(r)]
    unknown = [
        FieldError(f"items.{index}.product_id", str(error), "does_not_exist")
        for index, error in failed
        if isinstance(error, NotFound)
    ]
    if unknown:
        detail = "; ".join(str(error) for error in unknown)
        return InvalidInput(detail, code="does_not_exist", errors=tuple(unknown))
    shortages = ", ".join(str(error) for _, error in failed)
    return Conflict(f"Inventory reservation failed: {shortages}", code="out_of_stock")


# -- the other messages ---------------------------------------------------------------------


@handler
def get_order(query: GetOrder) -> Result[OrderDto, Error]:
    return (
        Option.of(Order.objects.filter(pk=query.order_id).first())
        .to_result(NotFound(f"Order {query.order_id} not found"))
        .map(OrderDto.from_model)
    )


@handler
def confirm_reservations(command: ConfirmReservations) -> Result[Unit, Error]:
    return (
        Option.of(Order.objects.filter(pk=command.order_id).first())
        .to_result(NotFound(f"Order {command.order_id} not found"))
        .tap(InventoryService().confirm)
        .map(lambda _: unit)
    )


# -- OrderProcessed: the guide's UpdateInventoryHandler and SendOrderConfirmationHandler --------


# Background handlers: a worker runs each from its delivery row, retried with backoff until it
# succeeds (or is dead after its attempts, for the admin to retry). Each runs at least once.
RETRY = RetryPolicy(attempts=8, backoff_base=1, backoff_cap=120)


@handler(background=True, retry=RETRY)
def update_inventory(event: OrderProcessed) -> None:
    """The order's units come off the stock, through a command whose success drops the
    products' cached entries. Once per order: the command confirms only held reservations, and
    its writes commit with the delivery's success mark. A failure is raised: it is retried."""
    result = messenger.send(ConfirmReservations(event.order_id))
    if is_failure(result):
        raise result.error.exception()


@handler(background=True, retry=RETRY)
def send_order_confirmation(event: OrderProcessed) -> None:
    """Emailed once per order: the delivery's idempotency key is logged with the email."""
    customer = Customer.objects.filter(pk=event.customer_id).first()
    if customer is None:
        return
    lines = [f"  {i.quantity} x {i.product_name} at {i.unit_price}" for i in event.items]
    body = "\n".join(
        [
            f"Hello {customer.name},",
            "",
            f"thank you for order {event.order_id}:",
            *lines,
            "",
            f"Total: {event.total}",
        ]
    )
    send_once(f"Order {event.order_id} confirmed", body, "orders@example.com", customer.email)
