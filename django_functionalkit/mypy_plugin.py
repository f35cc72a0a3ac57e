"""mypy plugin: ``Result[T, E]`` in an annotation means ``Success[T, E] | Failure[T, E]``.

mypy narrows a generic base class to its subclass with ``Any`` type arguments, so without this
plugin ``case Success(user):`` gives ``user: Any``. Read as the union of the variants, every
``match``, ``isinstance`` and ``assert_never`` narrows exactly, as pyright does on its own.
``Option[T]`` becomes ``Some[T] | Nothing``, ``Validation[T, E]`` ``Valid[T, E] | Invalid[T, E]``.

Enable it beside django-stubs' plugin::

    [tool.mypy]
    plugins = ["mypy_django_plugin.main", "django_functionalkit.mypy_plugin"]

In expressions the names stay the classes, so ``Result.all(...)`` and ``Option.of(...)`` work.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from mypy.nodes import TypeInfo
from mypy.plugin import AnalyzeTypeContext, Plugin
from mypy.types import AnyType, Instance, Type, TypeOfAny, UninhabitedType, UnionType

_PACKAGE = "django_functionalkit"

# annotation name -> (how many type arguments, the variants it stands for)
_UNIONS: dict[str, tuple[int, tuple[str, ...]]] = {
    f"{_PACKAGE}.results.Result": (
        2,
        (f"{_PACKAGE}.results.Success", f"{_PACKAGE}.results.Failure"),
    ),
    f"{_PACKAGE}.options.Option": (1, (f"{_PACKAGE}.options.Some", f"{_PACKAGE}.options.Nothing")),
    f"{_PACKAGE}.validation.Validation": (
        2,
        (f"{_PACKAGE}.validation.Valid", f"{_PACKAGE}.validation.Invalid"),
    ),
}


class FunctionalKitPlugin(Plugin):
    """Reads ``Result``, ``Option`` and ``Validation`` annotations as unions of their variants."""

    def get_type_analyze_hook(self, fullname: str) -> Callable[[AnalyzeTypeContext], Type] | None:
        if fullname in _UNIONS:
            arity, variants = _UNIONS[fullname]
            return partial(_as_union, fullname, arity, variants)
        return None


def _as_union(
    fullname: str, arity: int, variants: tuple[str, ...], ctx: AnalyzeTypeContext
) -> Type:
    api = ctx.api
    args = [api.analyze_type(arg) for arg in ctx.type.args]
    if not args:
        args = [AnyType(TypeOfAny.from_omitted_generics)] * arity
    elif len(args) < arity:  # the type variables default to Never (Result[T] has no error)
        args = [*args, *[UninhabitedType() for _ in range(arity - len(args))]]
    if len(args) != arity:
        api.fail(f'"{fullname.rsplit(".", 1)[1]}" expects {arity} type arguments', ctx.context)
        return AnyType(TypeOfAny.from_error)
    semanal = api.api  # type: ignore[attr-defined]
    # Inside the library the names mean the classes (base classes, isinstance); its own
    # signatures spell the unions out.
    if semanal.cur_mod_id == _PACKAGE or semanal.cur_mod_id.startswith(f"{_PACKAGE}."):
        return api.named_type(fullname, args)
    members: list[Type] = []
    for variant in variants:
        symbol = semanal.lookup_fully_qualified_or_none(variant)
        if symbol is None or not isinstance(symbol.node, TypeInfo):
            return api.named_type(fullname, args)  # not analyzed yet: fall back to the class
        members.append(_instance(symbol.node, args))
    return UnionType.make_union(members)


def _instance(info: TypeInfo, args: list[Type]) -> Instance:
    # Nothing takes no type arguments; the others take all of them.
    return Instance(info, args[: len(info.defn.type_vars)])


def plugin(version: str) -> type[Plugin]:
    """The entry point mypy calls."""
    return FunctionalKitPlugin
