"""Jinja's environment with the same output for less work per render: the result page is
rendered for every first view (``./run bench``'s "Result page render alone").

Each method below gives what Jinja's own gives (``tests/web/test_render.py`` compares them);
it only skips work that cannot change the answer for the values our templates see.
"""

import re
from collections import ChainMap
from functools import lru_cache
from types import BuiltinMethodType, FunctionType

from flask.templating import Environment as FlaskEnvironment
from jinja2 import Template
from jinja2.runtime import Context, Macro
from jinja2.utils import _PassArg
from markupsafe import Markup, _escape_inner, escape

#: What ``getattr`` finds on a plain dict: the attributes of its class, never a key.
_DICT_ATTRIBUTES = frozenset(dir(dict))
#: Callables that never take the template context, environment or eval context: Jinja marks
#: those with an attribute ``jinja_pass_arg``, which functions carry in their __dict__ and
#: built-in methods (``list.append``, ``bytes.decode``) never carry. A macro always takes the
#: eval context (its ``__call__`` is marked so).
_PLAIN_CALLABLES = (FunctionType, BuiltinMethodType)
_new_markup = str.__new__


def _escape(value) -> Markup:
    """markupsafe's ``escape``, without its Python ``Markup()`` constructor for the common
    cases: a plain string (escaped, as markupsafe does) and a Markup string (already safe:
    markupsafe would return an equal copy of it)."""
    kind = type(value)
    if kind is str:
        return _new_markup(Markup, _escape_inner(value))
    if kind is Markup:
        return value
    return escape(value)


def format_markup(text: str, variables: dict) -> Markup:
    """``Markup(text) % variables``: the text with each value escaped. For a text whose only
    conversions are ``%(name)s`` (and ``%%``), which is every message of ours, the values are
    escaped here and the text formatted as a plain string, without markupsafe's Python helper
    object per value (about 1.5 µs a value); any other text goes through markupsafe."""
    if not _names_only(text):
        return Markup(text) % variables
    return _new_markup(Markup, text % {key: str(_escape(value))
                                       for key, value in variables.items()})


@lru_cache(maxsize=1024)
def _names_only(text: str) -> bool:
    return "%" not in _NAMED_CONVERSION.sub("", text)


_NAMED_CONVERSION = re.compile(r"%%|%\([^()]*\)s")


class FastContext(Context):
    def call(__self, __obj, *args, **kwargs):  # noqa: N805 - Jinja's own signature
        """Jinja's ``Context.call`` (``{{ f(x) }}``), without looking for a context argument
        on the callables whose argument is known: plain functions and built-in methods take
        none, a macro and a function marked ``pass_eval_context`` (the templates' ``_``) the
        eval context. About half its cost, some 45 calls a page. A macro given exactly its
        positional arguments (no caller, no ``varargs``/``kwargs``) is run as ``Macro.__call__``
        would run it, without its argument matching: some 16 calls a page."""
        kind = type(__obj)
        if kind is Macro:
            if kwargs:
                kwargs.pop("_block_vars", None)
                kwargs.pop("_loop_vars", None)
            if (not kwargs and len(args) == __obj._argument_count and not __obj.caller
                    and not __obj.catch_kwargs and not __obj.catch_varargs
                    and not __self.environment.is_async):
                # What Macro.__call__ does with exactly its positional arguments.
                text = __obj._func(*args)
                return _new_markup(Markup, text) if __self.eval_ctx.autoescape else text
            args = (__self.eval_ctx, *args)
        elif kind is FunctionType and "jinja_pass_arg" in __obj.__dict__:
            if __obj.jinja_pass_arg is not _PassArg.eval_context:
                return super().call(__obj, *args, **kwargs)
            args = (__self.eval_ctx, *args)
        elif kind not in _PLAIN_CALLABLES:
            return super().call(__obj, *args, **kwargs)
        if kwargs:
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:
            return __self.environment.undefined(
                "value was undefined because a callable raised a StopIteration exception")


class FastTemplate(Template):
    @classmethod
    def _from_namespace(cls, environment, namespace, globals):
        """The compiled template, printing through :func:`_escape`: its functions read
        ``escape`` from this namespace (the module globals of the compiled code)."""
        namespace["escape"] = _escape
        return super()._from_namespace(environment, namespace, globals)


class RenderEnvironment(FlaskEnvironment):
    """Flask's template environment, with the fast paths above."""

    context_class = FastContext
    template_class = FastTemplate

    def get_template(self, name, parent=None, globals=None):
        """Jinja's, with each loaded template kept in a plain dict while templates are not
        reloaded (``auto_reload`` off, as in production): a result page asks for eleven
        (extends, includes, imports), each a locked look-up in Jinja's LRU cache otherwise,
        which moves the name to the end of its queue. Nothing is dropped from the dict: the
        templates are a few dozen files."""
        if globals or type(name) is not str or self.auto_reload or self.cache is None:
            return super().get_template(name, parent, globals)
        if parent is not None:
            name = self.join_path(name, parent)
        loaded = self.__dict__.setdefault("_loaded_templates", {})
        template = loaded.get(name)
        if template is None:
            template = loaded[name] = super().get_template(name)
        return template

    def overlay(self, **options):
        """Jinja's overlay, with its own loaded templates (it compiles its own)."""
        overlay = super().overlay(**options)
        overlay.__dict__.pop("_loaded_templates", None)
        return overlay

    def getattr(self, obj, attribute):
        """``a.b`` in a template: Jinja's answer, found faster for plain dicts (the answer's
        device, trip, recall, reasons, ...). Jinja tries the attribute first; a plain dict has
        no attribute but those of its class, so for any other name that attempt raises
        AttributeError (about 0.4 µs, some 160 times per result page) before the key is
        looked up. Asking the key first gives the same value or the same undefined."""
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)

    def make_globals(self, d=None):
        """A template's globals: the environment's own dict when the template brings none
        (as Jinja 2 did, and as Jinja's docs allow: "it may be shared with the environment"),
        else Jinja's ChainMap of its own over the environment's.

        Why: every render copies a template's globals into its context and every include and
        import makes a set of their names; through a ChainMap that is Python code per name
        (about 14 µs for the result page's context, 3 µs per include), through a dict a copy
        in C. The dict is the environment's itself, so a global added later is seen at once,
        as through the ChainMap."""
        if not d:
            return self.globals
        return _Globals(d, self.globals)

    def _load_template(self, name, globals):
        """Jinja's, except that globals given for a cached template that shares the
        environment's go into a ChainMap of its own (Jinja would update the template's globals
        in place, here the environment's)."""
        if not globals:
            return super()._load_template(name, globals)
        template = super()._load_template(name, None)
        if template.globals is self.globals:
            template.globals = _Globals({}, self.globals)
        template.globals.update(globals)
        return template


class _Globals(ChainMap):
    """Jinja's ChainMap of a template's own globals over the environment's, whose ``keys()``
    is a plain set: every ``{% from ... import %}`` subtracts it from the render's global names
    (``Template._get_default_module``), which through ChainMap's generic view was a membership
    test in Python per name."""

    def keys(self):
        return set().union(*self.maps)
