"""Drive a page's script with node, in a small model of the browser's DOM.

The model holds the page's elements that have an id or a ``data-frame`` attribute, and it
does what a browser does on its own that matters here: a key press goes to the focused
element, bubbles to the document, and then, unless a handler called preventDefault(), a
focused range input moves one step and fires "input". ``setInterval`` callbacks run only when
the test says ``tick``.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[dict] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        controls = ("div", "input", "button", "span", "p", "label", "section")
        # ids inside Graphviz's SVG (node1, edge3, ...) are not the page's controls
        if "data-frame" not in attributes and not ("id" in attributes and tag in controls):
            return
        dataset = {
            re.sub(r"-(\w)", lambda m: m.group(1).upper(), k[5:]): v
            for k, v in attributes.items()
            if k.startswith("data-")
        }
        self.elements.append({
            "tag": tag, "id": attributes.get("id"), "dataset": dataset,
            "value": attributes.get("value", ""), "min": attributes.get("min", ""),
            "max": attributes.get("max", ""), "classes": attributes.get("class", "").split(),
            "text": "",
        })


def elements(page: str) -> list[dict]:
    parser = _Elements()
    parser.feed(page)
    return parser.elements


MODEL = r"""
const ELEMENTS = __ELEMENTS__;
const ACTIONS = __ACTIONS__;
function makeElement(spec) {
  const listeners = {};
  const classes = new Set(spec.classes);
  return {
    id: spec.id, tagName: spec.tag, dataset: spec.dataset, value: spec.value,
    min: spec.min, max: spec.max, textContent: spec.text, checked: false, listeners,
    classList: {
      toggle: (name, yes) => { if (yes === undefined) yes = !classes.has(name);
                               if (yes) classes.add(name); else classes.delete(name); return yes; },
      contains: (name) => classes.has(name),
      add: (name) => classes.add(name), remove: (name) => classes.delete(name),
    },
    addEventListener: (type, f) => { (listeners[type] = listeners[type] || []).push(f); },
  };
}
const all = ELEMENTS.map(makeElement);
const byId = {};
all.forEach((e) => { if (e.id) byId[e.id] = e; });
const body = makeElement({tag: "body", id: null, dataset: {}, value: "", min: "", max: "",
                          classes: [], text: ""});
const docListeners = {};
const document = {
  body,
  getElementById: (id) => byId[id] || null,
  querySelectorAll: (selector) => {
    if (selector !== "[data-frame]") throw new Error("model: unsupported selector " + selector);
    return all.filter((e) => e.dataset.frame !== undefined);
  },
  addEventListener: (type, f) => { (docListeners[type] = docListeners[type] || []).push(f); },
};
let intervals = [];
function setInterval(f, ms) { intervals.push({f, ms}); return intervals.length; }
function clearInterval(id) { if (id) intervals[id - 1] = null; }
function fire(target, type, event) {
  (target.listeners[type] || []).forEach((f) => f(event));
  (docListeners[type] || []).forEach((f) => f(event));  // it bubbles to the document
}
function press(key, focused) {
  const target = focused ? byId[focused] : body;
  const event = {key, target, altKey: false, ctrlKey: false, metaKey: false,
                 defaultPrevented: false, preventDefault() { this.defaultPrevented = true; }};
  fire(target, "keydown", event);
  const steps = {ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1};
  if (!event.defaultPrevented && target.tagName === "input" && key in steps) {
    // the browser's own move of a focused slider, then its input event
    const value = Math.max(Number(target.min), Math.min(Number(target.max),
                                                        Number(target.value) + steps[key]));
    if (value !== Number(target.value)) {
      target.value = String(value);
      fire(target, "input", {target});
    }
  }
}
__SCRIPT__
const states = [];
function state() {
  const shown = [...new Set(all.filter((e) => e.dataset.frame !== undefined &&
                                              e.classList.contains("shown"))
                                .map((e) => Number(e.dataset.frame)))];
  const text = (id) => (byId[id] ? byId[id].textContent : null);
  return {shown, slider: Number(byId.slider.value), counter: text("counter"),
          caption: text("caption"), play: text("play"),
          timers: intervals.filter((t) => t !== null).length,
          fit: body.classList.contains("fit")};
}
states.push(state());
for (const [what, arg, focused] of ACTIONS) {
  if (what === "key") press(arg, focused);
  else if (what === "click") fire(byId[arg], "click", {target: byId[arg]});
  else if (what === "slide") { byId.slider.value = String(arg);
                              fire(byId.slider, "input", {target: byId.slider}); }
  else if (what === "check") { byId[arg].checked = !byId[arg].checked;
                              fire(byId[arg], "change", {target: byId[arg]}); }
  else if (what === "tick") intervals.filter((t) => t !== null).forEach((t) => t.f());
  else throw new Error("model: unknown action " + what);
  states.push(state());
}
console.log(JSON.stringify(states));
"""


def drive(page: str, actions: list[tuple], workdir: Path) -> list[dict]:
    """Run the page's script, then each action; return the page's state before and after each.

    Actions: ("key", "ArrowRight", focused_id_or_None), ("click", id), ("slide", value),
    ("check", id), ("tick",). A state: the frames shown, the slider's value, the counter's,
    caption's and play button's text, the number of running timers, whether body has "fit".
    """
    node_js = shutil.which("node")
    if node_js is None:
        pytest.skip("needs node to run the page's script")
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert len(scripts) == 1, "the page has one inline script"
    program = (
        MODEL.replace("__ELEMENTS__", json.dumps(elements(page)))
        .replace("__ACTIONS__", json.dumps([list(a) + [None] * (3 - len(a)) for a in actions]))
        .replace("__SCRIPT__", scripts[0])
    )
    path = workdir / "drive.js"
    path.write_text(program)
    done = subprocess.run([node_js, str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
