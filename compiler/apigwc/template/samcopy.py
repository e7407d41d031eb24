"""The SAM translator's per-event body copies, without copying the whole body each time, with the same result.

Why this module exists
----------------------
aws-sam-translator adds each ``Type: Api`` event to its API's OpenAPI body with the pattern::

    editor = SwaggerEditor(body)            # copy.deepcopy of the whole body
    editor.add_...(event path, method)      # change one path item
    api["DefinitionBody"] = editor.swagger  # copy.deepcopy of the whole body again

twice per event (``ImplicitApiPlugin._add_api_to_swagger`` adds the path,
``push.Api._add_swagger_integration`` the integration), so a template with N routes costs
about 4·N whole-body copies: 32 s for 400 routes, the square of the routes.

The copies are not plain copies, so they cannot simply be skipped.  The translator keeps
every dictionary as a ``Py27Dict`` that emulates Python 2.7's key order (the Deployment's
logical id is a hash of ``str(body)``, which AWS computed under Python 2.7), and
``copy.deepcopy`` of such a dictionary re-inserts its keys into a fresh table, which can
reorder them (two keys that collide swap places, copy after copy).  Skipping the copies
changes the order of ``paths`` and with it the Deployment logical id [Obs: tests/template/
test_sam_fast.py, ``test_skipping_the_copies_changes_the_deployment_id``].

What this module does instead
-----------------------------
Inside those two methods only, ``swagger._deepcopy`` (the module-level function both copies
call) becomes :func:`_partial_copy`, which returns what ``copy.deepcopy(body)`` returns,
built in three parts:

- ``paths`` gets the steps of ``Py27Dict.__deepcopy__``: a new ``Py27Dict`` whose key table
  is the fresh table a copy builds (:func:`_fresh_table`: ``Py27Keys.add`` for distinct
  string keys into an empty table, the same steps in a tighter loop, compared with
  ``Py27Keys`` by the tests), then the items in the dictionary's own order;
- an item is *shared* (the same object) when it is not the path the event changes and it is
  *stable*: right after this module copied it, every ``Py27Dict`` in it was checked to be
  left as it is by a copy (its key table equals the fresh table a copy builds, so the copy
  is equal to it in everything but identity), it holds only dictionaries, lists and scalars,
  no ``Py27Dict`` in it belongs to another stable item, and no ``Py27Dict`` in it changed
  since (every mutating method of ``Py27Dict`` drops the item that holds it);
- every other item, and everything else in the body, is copied by ``copy.deepcopy`` itself.

A shared item is thus what a copy would have made, and sharing it with the body the copy
came from is invisible because the translator discards that body (``api["DefinitionBody"]
= editor.swagger``; the editor and its copy go out of scope).  What stays square in the
routes is small: ``paths``' key table (about a microsecond per route and copy) and a test
per path item each time an editor is created (below).

``SwaggerEditor.__init__`` also walks every path item (``get_conditional_contents`` then
``validate_path_item_is_dict``), which only raises: for a dictionary without ``Fn::If``
it does nothing.  Inside the two methods, when every path item is such a dictionary, that
walk (the first ``iter_on_path`` call of the editor being created) is given no paths
(:func:`_quiet_walk`); otherwise it runs as is, so its error is the translator's own.

What it relies on, and the guards
---------------------------------
- Read in the translator's source (the versions in ``KNOWN_SOURCES``): inside those two
  methods the editors change only the event's path item and the body's top-level entries;
  no code keeps a reference into a body the translator replaced; no code changes a path
  item through a plain ``dict`` or ``list`` between two copies.  A change through a
  ``Py27Dict`` is noticed at run time (the item is no longer shared).
- :func:`available` allows the patch only when the translator's source files (editors, py27
  dicts, the two plugins and the Api event) hash to a fingerprint read and tested; any other
  version runs the plain translator.  ``APIGWC_SAM_FAST=0`` turns it off.
- The patch is undone when :func:`fast_copies` ends, one fast translation runs at a time, and
  a translation in another thread meanwhile sees the plain translator.
- ``template/expand.py`` runs the plain translator again whenever the fast run raises
  anything, so an error message is always the plain translator's.
- tests/template/test_sam_fast.py translates every corpus template, the benchmark's
  template and one template per SAM feature that edits the body, both ways, and asserts
  the same JSON text, key order and Deployment logical id included.
"""

from __future__ import annotations

import copy
import hashlib
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: sha256 of the sources the argument above reads, per aws-sam-translator version checked
KNOWN_SOURCES = {
    "1.115.0": "333f91654aa77e66a0b4b8aa8f26760daa2f441e92ba1ac5fee73d4eb4ac2049",
}

_SCALARS = (str, int, float, bool, type(None))
_MISSING = object()


@dataclass
class Stats:
    """What one translation did (the tests check that the fast path really ran)."""

    copies: int = 0  #: whole-body copies made by _partial_copy
    shared: int = 0  #: path items shared instead of copied
    copied: int = 0  #: path items copied
    walks_skipped: int = 0  #: SwaggerEditor.__init__ walks over every path found to have no effect


@dataclass
class _State:
    #: the path the running event changes (None outside the two methods: copies are genuine)
    path: Any = None
    #: id -> path item that is stable (see the module docstring)
    stable: dict[int, Any] = field(default_factory=dict)
    stable_ids: set[int] = field(default_factory=set)
    #: id of a Py27Dict -> id of the stable path item that holds it
    owner: dict[int, int] = field(default_factory=dict)
    stats: Stats = field(default_factory=Stats)
    #: the thread that runs the fast translation
    thread: int = 0
    #: key sequence -> the key table a copy builds for it (see _copied_keys), for this translation
    tables: dict[tuple, tuple] = field(default_factory=dict)
    #: key -> its Python 2.7 hash
    hashes: dict[str, int] = field(default_factory=dict)
    #: the SwaggerEditor whose __init__ is running inside the two methods (see _quiet_walk)
    walking: Any = None


_STATE: _State | None = None
#: one fast translation at a time (the patch is process-wide)
_LOCK = threading.Lock()


def _current() -> _State | None:
    """The fast translation running in this thread (another thread's translation sees the plain translator)."""
    state = _STATE
    return state if state is not None and state.thread == threading.get_ident() else None


def _modules() -> list[Any]:
    from samtranslator.model.eventsources import push
    from samtranslator.open_api import base_editor
    from samtranslator.plugins.api import implicit_api_plugin, implicit_rest_api_plugin
    from samtranslator.swagger import swagger
    from samtranslator.utils import py27hash_fix

    return [swagger, base_editor, py27hash_fix, implicit_api_plugin, implicit_rest_api_plugin, push]


_FINGERPRINT: str | None = None


def fingerprint() -> str:
    """sha256 of the translator's source files the argument reads (editors, py27 dicts, the two methods)."""
    global _FINGERPRINT
    if _FINGERPRINT is None:
        digest = hashlib.sha256()
        for module in _modules():
            digest.update(Path(module.__file__).read_bytes())
        _FINGERPRINT = digest.hexdigest()
    return _FINGERPRINT


def available() -> bool:
    """Whether the installed translator is one whose source was read and tested."""
    if os.environ.get("APIGWC_SAM_FAST", "1") == "0":
        return False
    try:
        import samtranslator

        return KNOWN_SOURCES.get(samtranslator.__version__) == fingerprint()
    except (ImportError, OSError, TypeError):
        return False


def _state_of(keys: Any) -> tuple:
    return (keys.keyorder, keys.size, keys.fill, keys.mask)


def _stable(node: Any, dicts: list[int], owned: dict[int, int], live: dict[int, Any]) -> bool:
    """Whether a copy of ``node`` changes nothing; collects the ids of its Py27Dicts (none held elsewhere)."""
    from samtranslator.utils.py27hash_fix import Py27Dict

    if isinstance(node, _SCALARS):
        return True
    if isinstance(node, Py27Dict):
        if set(vars(node)) != {"keylist"}:
            return False
        keys = node.keylist
        if owned.get(id(node)) in live or _state_of(copy.deepcopy(keys)) != _state_of(keys):
            return False  # shared with another stable path item, or a copy reorders its keys
        dicts.append(id(node))
        return all(_stable(v, dicts, owned, live) for v in dict.values(node))
    if type(node) is dict:
        return all(_stable(v, dicts, owned, live) for v in node.values())
    if type(node) is list:
        return all(_stable(v, dicts, owned, live) for v in node)
    return False


def _partial_copy(doc: Any) -> Any:
    """``copy.deepcopy(doc)``, sharing the stable path items the running event does not change."""
    state = _current()
    paths = doc.get("paths") if isinstance(doc, dict) else None
    keys = _plain_keys(paths)
    if state is None or state.path is None or keys is None:
        return copy.deepcopy(doc)
    from samtranslator.utils.py27hash_fix import Py27Dict

    state.stats.copies += 1
    memo: dict[int, Any] = {}
    # paths' own copy, the steps of Py27Dict.__deepcopy__: the key table first, then the items in order
    result = Py27Dict.__new__(Py27Dict)
    new_keys = _copied_keys(keys, state.tables, state.hashes)
    memo[id(keys)] = new_keys
    result.keylist = new_keys
    # every value shared for now (the ones a copy must make are replaced below), in the dict's own
    # order as Py27Dict.__deepcopy__ inserts them (dict.update(result, paths) would ask paths.keys())
    dict.update(result, dict.items(paths))
    touched = dict.get(paths, state.path, _MISSING)
    values = set(map(id, dict.values(paths)))
    copy_ids = values - state.stable_ids
    if touched is not _MISSING:
        copy_ids.add(id(touched))
    copied = []
    if touched is not _MISSING and copy_ids == {id(touched)} and len(values) == len(paths):
        # the usual case: only the event's path item (held once) is copied; setting an equal
        # key keeps the key object and the item's place
        new = copy.deepcopy(touched, memo)
        dict.__setitem__(result, state.path, new)
        copied.append((state.path, new))
    elif copy_ids:
        for key, value in dict.items(paths):
            if id(value) in copy_ids:
                new = copy.deepcopy(value, memo)
                dict.__setitem__(result, key, new)
                copied.append((key, new))
    memo[id(paths)] = result
    memo.setdefault(id(memo), []).extend((keys, paths))  # what copy.deepcopy keeps alive
    out = copy.deepcopy(doc, memo)
    state.stats.shared += len(result) - len(copied)
    state.stats.copied += len(copied)
    for key, item in copied:
        dicts: list[int] = []
        if key != state.path and _stable(item, dicts, state.owner, state.stable):
            state.stable[id(item)] = item
            state.stable_ids.add(id(item))
            for d in dicts:
                state.owner[d] = id(item)
    return out


def _plain_keys(paths: Any) -> Any:
    """paths' key table when paths is a Py27Dict of string keys and nothing else (else None: copy.deepcopy)."""
    from samtranslator.utils.py27hash_fix import Py27Dict, Py27Keys, Py27UniStr

    if type(paths) is not Py27Dict or set(vars(paths)) != {"keylist"}:
        return None
    keys = paths.keylist
    if type(keys) is not Py27Keys or set(vars(keys)) != {"debug", "keyorder", "size", "fill", "mask"} or keys.debug:
        return None
    if not set(map(type, dict.keys(paths))) <= {str, Py27UniStr}:
        return None
    return keys


def _copied_keys(keys: Any, tables: dict[tuple, tuple], hashes: dict[str, int]) -> Any:
    """``copy.deepcopy(keys)`` for a table of string keys.

    ``Py27Keys.__deepcopy__`` adds the keys, in iteration order, to a fresh table (a copy of a
    string is the string), so the table depends only on that sequence: it is built once per
    sequence.
    """
    from samtranslator.utils.py27hash_fix import Py27Keys

    sequence = keys.keys()
    signature = (tuple(map(type, sequence)), tuple(sequence))
    table = tables.get(signature)
    if table is None:
        if len(tables) >= 8:  # the sequences that repeat are the last two (a copy of a copy)
            tables.clear()
        table = tables[signature] = _fresh_table(sequence, hashes)
    new = Py27Keys()
    new.keyorder = {slot: sequence[i] for slot, i in table[0]}
    new.size, new.fill, new.mask = table[1], table[2], table[3]
    return new


def _fresh_table(sequence: list, hashes: dict[str, int]) -> tuple:
    """The table ``Py27Keys.add`` builds from an empty ``Py27Keys()`` for distinct string keys, in that order.

    The same steps as ``Py27Keys.add`` / ``_get_key_idx`` / ``_resize`` in the case they take
    here (no deleted slot, no key twice), with each key's hash computed once (``hashes``,
    by value: ``Hash.hash`` treats a ``str`` and a ``Py27UniStr`` alike); about five times
    faster than calling them.  tests/template/test_sam_fast.py compares it with ``Py27Keys``
    on generated and real sequences.  Returns the keyorder as (slot, position in sequence)
    pairs in the order the slots were filled, then size, fill and mask.
    """
    import ctypes

    from samtranslator.third_party.py27hash.hash import Hash
    from samtranslator.utils.py27hash_fix import MINSIZE, PERTURB_SHIFT, Py27Keys

    large = Py27Keys._LARGE_DICT_SIZE_THRESHOLD
    shift = PERTURB_SHIFT
    try:
        values = list(map(hashes.__getitem__, sequence))
    except KeyError:
        for k in sequence:
            if k not in hashes:
                hashes[k] = ctypes.c_size_t(Hash.hash(k)).value  # what _get_key_idx takes
        values = list(map(hashes.__getitem__, sequence))
    mask = MINSIZE - 1
    slots: dict[int, int] = {}  # slot -> position in sequence
    for position, h in enumerate(values):
        # the first empty slot on h's probe sequence (_get_key_idx for a new key, no deleted slot)
        i = h & mask
        if i in slots:
            i = _probe(slots, i, h, mask, shift)
        slots[i] = position
        size = position + 1
        if size * 3 >= (mask + 1) * 2:  # fill == size: nothing was deleted
            request = size * (2 if size > large else 4)
            newsize = MINSIZE
            while newsize <= request:
                newsize <<= 1
            mask = newsize - 1
            old = slots
            slots = {}
            for slot in sorted(old):
                h = values[old[slot]]
                i = h & mask
                if i in slots:
                    i = _probe(slots, i, h, mask, shift)
                slots[i] = old[slot]
    return (list(slots.items()), len(slots), len(slots), mask)


def _probe(slots: dict[int, int], i: int, h: int, mask: int, shift: int) -> int:
    """The first empty slot after the taken slot ``i`` on hash ``h``'s probe sequence (Python
    2.7's open addressing, as ``Py27Keys._get_key_idx`` walks it): for a new key and a resize alike."""
    walker, perturb = i, h
    while i in slots:
        walker = (walker << 2) + walker + perturb + 1
        i = walker & mask
        perturb >>= shift
    return i


def _changed(obj: Any) -> None:
    state = _current()
    if state is not None and state.owner:
        item = state.owner.pop(id(obj), None)
        if item is not None:
            state.stable.pop(item, None)
            state.stable_ids.discard(item)


def _watch(method: Any) -> Any:
    def watched(self: Any, *args: Any, **kwargs: Any) -> Any:
        _changed(self)
        return method(self, *args, **kwargs)

    watched.__wrapped__ = method  # type: ignore[attr-defined]
    return watched


_MUTATORS = ("__setitem__", "__delitem__", "update", "clear", "pop", "popitem", "setdefault")


@contextmanager
def fast_copies() -> Iterator[Stats]:
    """Within the block, the translator's per-event copies share stable path items (see module docstring)."""
    global _STATE
    from samtranslator.model.eventsources import push
    from samtranslator.plugins.api import implicit_api_plugin
    from samtranslator.swagger import swagger
    from samtranslator.utils.py27hash_fix import Py27Dict

    plugin = implicit_api_plugin.ImplicitApiPlugin
    editor = swagger.SwaggerEditor
    with _LOCK:
        saved = {
            (editor, "__init__"): editor.__dict__["__init__"],
            (swagger, "_deepcopy"): swagger._deepcopy,
            (plugin, "_add_api_to_swagger"): plugin.__dict__["_add_api_to_swagger"],
            (push.Api, "_add_swagger_integration"): push.Api.__dict__["_add_swagger_integration"],
            **{(Py27Dict, name): Py27Dict.__dict__[name] for name in _MUTATORS},
        }
        own_iter = editor.__dict__.get("iter_on_path", _MISSING)  # inherited from BaseEditor in 1.115.0
        init_editor, iter_on_path = editor.__dict__["__init__"], editor.iter_on_path
        add_path = plugin.__dict__["_add_api_to_swagger"]
        add_integration = push.Api.__dict__["_add_swagger_integration"]

        def add_api_to_swagger(self: Any, event_id: Any, event_properties: Any, template: Any) -> Any:
            path = event_properties.get("Path") if isinstance(event_properties, dict) else None
            return _in_site(path, add_path, self, event_id, event_properties, template)

        def add_swagger_integration(self: Any, api: Any, api_id: Any, function: Any, resolver: Any) -> Any:
            if api.get("MergeDefinitions"):  # the body is built from a skeleton and merged: not the pattern above
                return add_integration(self, api, api_id, function, resolver)
            return _in_site(self.Path, add_integration, self, api, api_id, function, resolver)

        def editor_init(self: Any, doc: Any) -> None:
            state = _current()
            if state is None or state.path is None:
                return init_editor(self, doc)
            outer, state.walking = state.walking, self
            try:
                return init_editor(self, doc)
            finally:
                state.walking = outer

        def quiet_iter_on_path(self: Any) -> Any:
            return _quiet_walk(self, iter_on_path)

        state = _State(thread=threading.get_ident())
        _STATE = state
        try:
            editor.__init__ = editor_init
            editor.iter_on_path = quiet_iter_on_path
            swagger._deepcopy = _partial_copy
            plugin._add_api_to_swagger = add_api_to_swagger
            push.Api._add_swagger_integration = add_swagger_integration
            for name in _MUTATORS:
                setattr(Py27Dict, name, _watch(Py27Dict.__dict__[name]))
            yield state.stats
        finally:
            for (owner, name), value in saved.items():
                setattr(owner, name, value)
            if own_iter is _MISSING:
                del editor.iter_on_path
            else:
                editor.iter_on_path = own_iter
            _STATE = None


def _quiet_walk(editor: Any, iter_on_path: Any) -> Any:
    """``editor.iter_on_path()``, or no paths for the walk of ``SwaggerEditor.__init__`` when it would do nothing.

    That walk passes each path item through ``get_conditional_contents`` and
    ``validate_path_item_is_dict``, which only raise: for a dictionary without ``Fn::If`` the
    first returns ``[item]`` and the second passes.  When every item is such a dictionary the
    walk has no effect, and skipping it is the same as running it; otherwise it runs as is.
    """
    from samtranslator.open_api.base_editor import BaseEditor
    from samtranslator.utils.py27hash_fix import Py27Dict

    state = _current()
    if state is None or state.walking is not editor:
        return iter_on_path(editor)
    state.walking = None  # only the first call, the one in __init__
    paths = editor.paths
    conditional = BaseEditor._CONDITIONAL_IF
    if type(paths) is Py27Dict and all(
        type(item) in (dict, Py27Dict) and conditional not in item for item in dict.values(paths)
    ):
        state.stats.walks_skipped += 1
        return iter(())
    return iter_on_path(editor)


def _in_site(path: Any, method: Any, *args: Any) -> Any:
    state = _current()
    if state is None or not isinstance(path, str):
        return method(*args)
    outer, state.path = state.path, path
    try:
        return method(*args)
    finally:
        state.path = outer
