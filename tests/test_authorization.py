"""AuthorizationBehavior: real users, groups and permissions, on the sync and the async path."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import AnonymousUser, Group, Permission, User
from django.test import override_settings
from django.utils.functional import SimpleLazyObject

from django_functionalkit import (
    Command,
    Failure,
    Messenger,
    Query,
    RequiresAuthorization,
    Result,
    Success,
    Unit,
    set_actor,
    unit,
)
from django_functionalkit.behaviors.authorization import AuthorizationBehavior
from django_functionalkit.errors import (
    Error,
    Forbidden,
    ForbiddenError,
    Unauthorized,
    UnauthorizedError,
)
from django_functionalkit.registry import Registry, make_spec
from tests.dispatching import Dispatch, dispatcher

pytestmark = pytest.mark.django_db

NO_ROLE = "Insufficient role permissions: requires one of the roles Admin, UserManager"
NO_DELETE = "Insufficient permissions: missing auth.delete_user"

# -- messages ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeleteUserCommand(Command[Unit], RequiresAuthorization):
    """The guide's DeleteUserCommand: it returns nothing, so a refusal raises."""

    user_id: int
    required_roles = ("Admin", "UserManager")
    required_permissions = ("auth.delete_user",)


@dataclass(frozen=True)
class DeactivateUser(Command[Result[Unit, Error]], RequiresAuthorization):
    """Returns a Result, so a refusal is a Failure."""

    user_id: int
    required_roles = ("UserManager",)
    required_permissions = ("auth.change_user", "auth.view_user")


@dataclass(frozen=True)
class GetAuditTrail(Query[Result[str, Error]], RequiresAuthorization):
    """A query may require authorization too."""

    required_roles = "Admin"  # a single name: one role, not five one-letter ones


@dataclass(frozen=True)
class ReadInbox(Query[Result[str, Error]], RequiresAuthorization):
    """No role and no permission: any signed-in actor."""


@dataclass(frozen=True)
class RenameAccount(Command[Result[str, Error]], RequiresAuthorization):
    """Object-level check, sync: only the owner may rename an account."""

    owner_id: int
    name: str

    def authorize(self, actor: Any) -> bool:
        return bool(actor.pk == self.owner_id)


@dataclass(frozen=True)
class TransferAccount(Command[Result[str, Error]], RequiresAuthorization):
    """Object-level check that reads the database, sync only: on the async path it must run
    in a thread, or Django refuses the query from the event loop."""

    owner_id: int

    def authorize(self, actor: Any) -> bool:
        return bool(User.objects.filter(pk=self.owner_id, groups__name="Admin").exists())


@dataclass(frozen=True)
class CloseAccount(Command[Result[str, Error]], RequiresAuthorization):
    """Object-level check, async only: the sync path must run it too."""

    owner_id: int
    required_permissions = ("auth.delete_user",)

    async def aauthorize(self, actor: Any) -> bool:
        return await User.objects.filter(pk=self.owner_id, is_staff=False).aexists()


@dataclass(frozen=True)
class PlainCommand(Command[str]):
    pass


# -- the world -----------------------------------------------------------------------------------


@dataclass
class People:
    ada: User  # Admin, with auth.delete_user granted directly
    grace: User  # UserManager, whose group grants auth.delete_user, change_user, view_user
    alan: User  # Admin without auth.delete_user
    eve: User  # auth.delete_user without a role
    linus: User  # nothing
    root: User  # superuser, no group
    gone: User  # inactive, Admin with auth.delete_user
    victim: User  # the one being deleted


def _permission(codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label="auth", codename=codename)


@pytest.fixture
def people() -> People:
    return make_people()


def make_people() -> People:
    admin = Group.objects.create(name="Admin")
    manager = Group.objects.create(name="UserManager")
    manager.permissions.add(*map(_permission, ("delete_user", "change_user", "view_user")))

    def user(name: str, *groups: Group, **fields: Any) -> User:
        created = User.objects.create_user(name, **fields)
        created.groups.add(*groups)
        return created

    found = People(
        ada=user("ada", admin),
        grace=user("grace", manager),
        alan=user("alan", admin),
        eve=user("eve"),
        linus=user("linus"),
        root=user("root", is_superuser=True),
        gone=user("gone", admin, is_active=False),
        victim=user("victim"),
    )
    for holder in (found.ada, found.eve, found.gone):
        holder.user_permissions.add(_permission("delete_user"))
    return found


def fresh(user: User) -> User:
    """The user as a request would load it: no permission cache, so lookups really happen."""
    return User.objects.get(pk=user.pk)


class Handlers:
    """Handlers of this module's messages; ``calls`` records which ran."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.registry = Registry()
        for target in self._targets():
            self.registry.register(make_spec(target))

    def _targets(self) -> list[Callable[..., object]]:
        def delete_user(command: DeleteUserCommand) -> Unit:
            self.calls.append("delete_user")
            User.objects.filter(pk=command.user_id).delete()
            return unit

        def deactivate_user(command: DeactivateUser) -> Result[Unit, Error]:
            self.calls.append("deactivate_user")
            User.objects.filter(pk=command.user_id).update(is_active=False)
            return Success(unit)

        def get_audit_trail(query: GetAuditTrail) -> Result[str, Error]:
            self.calls.append("get_audit_trail")
            return Success("trail")

        async def read_inbox(query: ReadInbox) -> Result[str, Error]:
            self.calls.append("read_inbox")
            return Success("inbox")

        def rename_account(command: RenameAccount) -> Result[str, Error]:
            self.calls.append("rename_account")
            return Success(command.name)

        def transfer_account(command: TransferAccount) -> Result[str, Error]:
            self.calls.append("transfer_account")
            return Success("transferred")

        def close_account(command: CloseAccount) -> Result[str, Error]:
            self.calls.append("close_account")
            return Success("closed")

        def plain(command: PlainCommand) -> str:
            self.calls.append("plain")
            return "done"

        return [
            delete_user,
            deactivate_user,
            get_audit_trail,
            read_inbox,
            rename_account,
            transfer_account,
            close_account,
            plain,
        ]

    def messenger(self) -> Messenger:
        return Messenger(self.registry, behaviors=[AuthorizationBehavior()])


@pytest.fixture
def handlers() -> Handlers:
    return Handlers()


@pytest.fixture(params=["sync", "async"])
def dispatch(request: pytest.FixtureRequest, handlers: Handlers) -> Dispatch:
    return dispatcher(handlers.messenger(), request.param)


@pytest.fixture(autouse=True)
def no_async_unsafe(monkeypatch: pytest.MonkeyPatch) -> None:
    """Django's guard against queries from the event loop stays on."""
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)


# -- which messages ------------------------------------------------------------------------------


def test_it_applies_to_messages_marked_requires_authorization_only(handlers: Handlers) -> None:
    behavior = AuthorizationBehavior()
    assert behavior.applies_to(DeleteUserCommand)
    assert behavior.applies_to(GetAuditTrail)
    assert not behavior.applies_to(PlainCommand)
    bus = handlers.messenger()
    assert bus.behaviors_for(PlainCommand) == []
    assert bus.send(PlainCommand()) == "done"  # nobody acts, and nothing is checked


# -- the guide's DeleteUserCommand: refusals raise -----------------------------------------------


def test_an_admin_with_the_permission_deletes_a_user(
    people: People, handlers: Handlers, dispatch: Dispatch
) -> None:
    with set_actor(fresh(people.ada)):
        assert dispatch(DeleteUserCommand(people.victim.pk)) is unit
    assert handlers.calls == ["delete_user"]
    assert not User.objects.filter(pk=people.victim.pk).exists()


def test_a_user_manager_whose_group_grants_the_permission_deletes_a_user(
    people: People, handlers: Handlers, dispatch: Dispatch
) -> None:
    with set_actor(fresh(people.grace)):
        assert dispatch(DeleteUserCommand(people.victim.pk)) is unit
    assert handlers.calls == ["delete_user"]


@pytest.mark.parametrize("actor", [None, AnonymousUser()], ids=["no actor", "anonymous"])
def test_nobody_signed_in_is_unauthorized(
    actor: object, people: People, handlers: Handlers, dispatch: Dispatch
) -> None:
    with set_actor(actor), pytest.raises(UnauthorizedError) as refused:
        dispatch(DeleteUserCommand(people.victim.pk))
    assert refused.value.error == Unauthorized("User not authenticated")
    assert handlers.calls == []
    assert User.objects.filter(pk=people.victim.pk).exists()


def test_an_inactive_user_is_unauthorized_whatever_they_hold(
    people: People, handlers: Handlers, dispatch: Dispatch
) -> None:
    with set_actor(fresh(people.gone)), pytest.raises(UnauthorizedError) as refused:
        dispatch(DeleteUserCommand(people.victim.pk))
    assert refused.value.error == Unauthorized("User account is inactive")
    assert handlers.calls == []


@pytest.mark.parametrize(
    ("who", "detail"),
    [
        ("linus", f"{NO_ROLE}; {NO_DELETE}"),
        ("alan", NO_DELETE),
        ("eve", NO_ROLE),
    ],
    ids=["neither", "role without permission", "permission without role"],
)
def test_a_user_lacking_a_role_or_a_permission_is_forbidden_and_told_what_is_missing(
    who: str, detail: str, people: People, handlers: Handlers, dispatch: Dispatch
) -> None:
    with set_actor(fresh(getattr(people, who))), pytest.raises(ForbiddenError) as refused:
        dispatch(DeleteUserCommand(people.victim.pk))
    assert refused.value.error == Forbidden(detail)
    assert handlers.calls == []
    assert User.objects.filter(pk=people.victim.pk).exists()


def test_a_superuser_passes_without_any_group_or_permission(
    people: People, handlers: Handlers, dispatch: Dispatch
) -> None:
    with set_actor(fresh(people.root)):
        assert dispatch(DeleteUserCommand(people.victim.pk)) is unit
        assert dispatch(DeactivateUser(people.eve.pk)) == Success(unit)
    assert handlers.calls == ["delete_user", "deactivate_user"]


def test_the_superuser_check_costs_no_query(people: People, django_assert_num_queries: Any) -> None:
    from django_functionalkit.behaviors.authorization import check

    root = fresh(people.root)
    with django_assert_num_queries(0):
        assert check(DeleteUserCommand(people.victim.pk), root) is None
        assert check(TransferAccount(people.linus.pk), root) is None  # object hook skipped too


# -- a Result-returning command: refusals are failures -------------------------------------------


def test_a_result_command_gets_a_failure_instead_of_an_exception(
    people: People, handlers: Handlers, dispatch: Dispatch
) -> None:
    victim = people.victim.pk
    with set_actor(None):
        assert dispatch(DeactivateUser(victim)) == Failure(Unauthorized("User not authenticated"))
    with set_actor(fresh(people.ada)):
        assert dispatch(DeactivateUser(victim)) == Failure(
            Forbidden(
                "Insufficient role permissions: requires one of the roles UserManager; "
                "Insufficient permissions: missing auth.change_user, auth.view_user"
            )
        )
    assert handlers.calls == []
    with set_actor(fresh(people.grace)):
        assert dispatch(DeactivateUser(victim)) == Success(unit)
    assert handlers.calls == ["deactivate_user"]
    assert not User.objects.get(pk=victim).is_active


def test_a_query_can_require_a_role_given_as_a_single_name(
    people: People, handlers: Handlers, dispatch: Dispatch
) -> None:
    with set_actor(fresh(people.alan)):
        assert dispatch(GetAuditTrail()) == Success("trail")
    with set_actor(fresh(people.grace)):
        assert dispatch(GetAuditTrail()) == Failure(
            Forbidden("Insufficient role permissions: requires one of the roles Admin")
        )
    assert handlers.calls == ["get_audit_trail"]


def test_without_roles_or_permissions_any_signed_in_user_passes(
    people: People, handlers: Handlers, dispatch: Dispatch
) -> None:
    with set_actor(fresh(people.linus)):
        assert dispatch(ReadInbox()) == Success("inbox")
    with set_actor(AnonymousUser()):
        assert dispatch(ReadInbox()) == Failure(Unauthorized("User not authenticated"))
    assert handlers.calls == ["read_inbox"]


# -- the object-level hook -----------------------------------------------------------------------


def test_the_object_level_check_runs_after_roles_and_permissions(
    people: People, handlers: Handlers, dispatch: Dispatch
) -> None:
    with set_actor(fresh(people.linus)):
        assert dispatch(RenameAccount(people.linus.pk, "mine")) == Success("mine")
        assert dispatch(RenameAccount(people.ada.pk, "theirs")) == Failure(
            Forbidden("Insufficient permissions for this object")
        )
    with set_actor(fresh(people.root)):  # superusers pass everything, this check included
        assert dispatch(RenameAccount(people.ada.pk, "root's")) == Success("root's")
    assert handlers.calls == ["rename_account", "rename_account"]


def test_a_sync_object_check_that_queries_runs_off_the_event_loop(
    people: People, handlers: Handlers, dispatch: Dispatch
) -> None:
    with set_actor(fresh(people.linus)):
        assert dispatch(TransferAccount(people.ada.pk)) == Success("transferred")
        assert dispatch(TransferAccount(people.grace.pk)) == Failure(
            Forbidden("Insufficient permissions for this object")
        )
    assert handlers.calls == ["transfer_account"]


def test_an_async_only_object_check_runs_on_the_sync_path_too(
    people: People, handlers: Handlers, dispatch: Dispatch
) -> None:
    staff = User.objects.create_user("staff", is_staff=True)
    with set_actor(fresh(people.eve)):
        assert dispatch(CloseAccount(people.linus.pk)) == Success("closed")
        assert dispatch(CloseAccount(staff.pk)) == Failure(
            Forbidden("Insufficient permissions for this object")
        )
    with set_actor(fresh(people.linus)):  # roles and permissions are checked first
        assert dispatch(CloseAccount(people.linus.pk)) == Failure(Forbidden(NO_DELETE))
    assert handlers.calls == ["close_account"]


# -- actors and backends -------------------------------------------------------------------------


class LegacyBackend:
    """A custom backend with only the sync API (no BaseBackend, no ahas_perm): Django's own
    ``ahas_perms`` skips it, so the async path must ask through ``has_perms`` as well."""

    def authenticate(self, request: object, **credentials: object) -> None:
        return None

    def has_perm(self, user_obj: User, perm: str, obj: object = None) -> bool:
        return user_obj.username == "alan" and perm == "auth.delete_user"


def test_permissions_come_from_every_authentication_backend(
    people: People, handlers: Handlers, dispatch: Dispatch
) -> None:
    backends = ["django.contrib.auth.backends.ModelBackend", f"{__name__}.LegacyBackend"]
    with override_settings(AUTHENTICATION_BACKENDS=backends), set_actor(fresh(people.alan)):
        assert dispatch(DeleteUserCommand(people.victim.pk)) is unit
    assert handlers.calls == ["delete_user"]


def test_a_lazy_request_user_is_loaded_off_the_event_loop(
    people: People, handlers: Handlers, dispatch: Dispatch
) -> None:
    """What AuthenticationMiddleware puts in request.user: nothing is loaded until first use."""
    pk = people.grace.pk
    with set_actor(SimpleLazyObject(lambda: User.objects.get(pk=pk))):
        assert dispatch(DeleteUserCommand(people.victim.pk)) is unit
    assert handlers.calls == ["delete_user"]


@dataclass(frozen=True)
class ServiceAccount:
    """An actor that is not a Django user: authenticated, with no groups and no permissions."""

    is_authenticated: bool = True


def test_an_actor_without_groups_or_permissions_is_forbidden_not_an_error(
    people: People, handlers: Handlers, dispatch: Dispatch
) -> None:
    with set_actor(ServiceAccount()):
        assert dispatch(ReadInbox()) == Success("inbox")
        with pytest.raises(ForbiddenError) as refused:
            dispatch(DeleteUserCommand(people.victim.pk))
    assert refused.value.error == Forbidden(f"{NO_ROLE}; {NO_DELETE}")


# -- in a real async test ------------------------------------------------------------------------


@pytest.fixture
def committed_people(transactional_db: None) -> People:
    """People committed to the database: an async test's queries run on another thread."""
    return make_people()


@pytest.mark.django_db(transaction=True)
async def test_asend_in_an_async_test_checks_groups_and_permissions_off_the_loop(
    committed_people: People,
) -> None:
    handlers = Handlers()
    bus = handlers.messenger()
    people = committed_people
    ada = await User.objects.aget(pk=people.ada.pk)
    linus = await User.objects.aget(pk=people.linus.pk)
    with set_actor(ada):
        assert await bus.asend(DeactivateUser(people.victim.pk)) == Failure(
            Forbidden(
                "Insufficient role permissions: requires one of the roles UserManager; "
                "Insufficient permissions: missing auth.change_user, auth.view_user"
            )
        )
        await bus.asend(DeleteUserCommand(people.victim.pk))
    with set_actor(linus), pytest.raises(ForbiddenError):
        await bus.asend(DeleteUserCommand(people.linus.pk))
    assert handlers.calls == ["delete_user"]
    assert not await User.objects.filter(pk=people.victim.pk).aexists()
    assert await sync_to_async(User.objects.filter(pk=people.linus.pk).exists)()
