/* Shared by the sandbox's pages: the session, the API client and the PIN entry. */
"use strict";

const CONFIG = window.PLEX_CONFIG;
const VARIANT = CONFIG.variant;

/** The CSS-module class name for "Block.element" (hashed per variant, like a Plex release). */
function C(name) {
  const value = CONFIG.classes[name];
  if (!value) throw new Error("unknown class " + name);
  return value;
}

/** A refusal in the contract's words, or, under refusal_words "own", in other words that mean the same. */
function refusalText(contract, own) {
  return VARIANT.refusal_words === "own" ? own : contract;
}

const Session = {
  token() {
    try {
      const raw = localStorage.getItem("plex_tv_auth");
      return raw ? JSON.parse(raw).authToken || null : null;
    } catch (e) {
      return null;
    }
  },
  save(token) {
    localStorage.setItem("plex_tv_auth", JSON.stringify({ authToken: token }));
  },
  clear() {
    localStorage.removeItem("plex_tv_auth");
  },
  clientId() {
    let id = localStorage.getItem("clientID");
    if (!id) {
      id = (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2)).replace(/-/g, "");
      localStorage.setItem("clientID", id);
    }
    return id;
  },
  /** Send a signed-out browser to sign-in, to come back here afterwards. */
  toSignIn() {
    const here = location.pathname + location.search + location.hash;
    location.replace("/auth?forwardUrl=" + encodeURIComponent(here));
  },
  requireToken() {
    const token = Session.token();
    if (!token) Session.toSignIn();
    return token;
  },
};

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Call the plex.tv API with the headers Plex Web sends; JSON in, JSON out. */
async function api(method, path, { query = {}, form = null } = {}) {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const headers = {
    Accept: "application/json",
    "X-Plex-Client-Identifier": Session.clientId(),
    "X-Plex-Product": "Plex Web",
    "X-Plex-Version": "4.145.1",
    "X-Plex-Platform": "Chrome",
    "X-Plex-Device": "Linux",
  };
  const token = Session.token();
  if (token) headers["X-Plex-Token"] = token;
  const init = { method, headers };
  if (form) init.body = new URLSearchParams(form);
  let response;
  try {
    response = await fetch(url, init);
  } catch (e) {
    throw new ApiError(0, 0, "Could not reach Plex. Check your connection and try again.");
  }
  let body = null;
  try {
    body = await response.json();
  } catch (e) {
    body = null;
  }
  if (!response.ok) {
    const err = (body && body.errors && body.errors[0]) || {};
    throw new ApiError(response.status, err.code || 0, err.message || "Something went wrong (" + response.status + ")");
  }
  return body;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) {
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return node;
}

/**
 * A PIN entry: one input named `label` (by a label, aria-label or placeholder, as the variant
 * says), or four single-digit boxes that move focus along as digits are typed, labelled one by
 * one ("`label` digit N") or as a group named `label`. Inputs are of the variant's `pin_type`.
 * `onComplete(pin)` runs when four digits are in (used for auto-submit).
 *
 * With the variant's `pin_redraw`, each digit typed draws the inputs anew: new elements with the
 * same names and values, focus on the one that takes the next digit, as a component that
 * re-renders its fields on every change.
 */
function pinEntry(label, onComplete) {
  const wrapper = el("div", { class: C("PinEntry.wrapper") });
  let inputs;
  const filled = () => inputs.map((i) => i.value).join("");
  const changed = () => {
    const pin = filled();
    if (pin.length === 4 && onComplete) onComplete(pin);
  };
  // A fresh element in each input's place, made as the first was (`make`), as a re-render
  // makes it: what anything else set on the old one (an attribute, a handler) is not on it.
  const redraw = (make, focused) => {
    inputs = inputs.map((old, i) => {
      const fresh = make(i);
      fresh.value = old.value;
      old.replaceWith(fresh);
      return fresh;
    });
    const next = inputs[focused];
    next.focus();
    // The caret after the digits already in, where the next one goes (a number field has no
    // selection API to say so).
    const value = next.value;
    next.value = "";
    next.value = value;
  };
  // A masked PIN input says it takes digits; a plain text or number field says nothing more.
  const hinted = VARIANT.pin_type === "password";
  if (VARIANT.pin_input === "digits") {
    const grouped = VARIANT.digit_labels === "group";
    const make = (i) => {
      const input = el("input", {
        class: C("PinEntry.digit"),
        type: VARIANT.pin_type,
        inputmode: hinted ? "numeric" : null,
        autocomplete: "off",
        "aria-label": grouped ? "Digit " + (i + 1) : label + " digit " + (i + 1),
      });
      input.addEventListener("input", () => {
        const digits = input.value.replace(/[^0-9]/g, "");
        // A pasted PIN spreads over the boxes.
        for (let j = 0; j < digits.length && i + j < 4; j++) inputs[i + j].value = digits[j];
        input.value = digits.slice(0, 1);
        const next = Math.min(i + Math.max(digits.length, 0), 3);
        if (VARIANT.pin_redraw) redraw(make, next);
        else if (digits.length && next !== i) inputs[next].focus();
        changed();
      });
      input.addEventListener("keydown", (event) => {
        if (event.key === "Backspace" && !input.value && i > 0) inputs[i - 1].focus();
      });
      return input;
    };
    inputs = [0, 1, 2, 3].map(make);
    if (grouped) {
      wrapper.append(el("fieldset", { class: C("PinEntry.group") },
        el("legend", { class: C("PinEntry.label"), text: label }),
        el("div", { class: C("PinEntry.digits") }, inputs)));
    } else {
      wrapper.append(el("div", { class: C("PinEntry.digits") }, inputs));
    }
  } else {
    const id = "pin-" + Math.random().toString(36).slice(2, 8);
    const names = VARIANT.field_names;
    const make = () => {
      const input = el("input", {
        id,
        class: C("PinEntry.input"),
        type: VARIANT.pin_type,
        inputmode: hinted ? "numeric" : null,
        maxlength: "4",
        autocomplete: "off",
        "aria-label": names === "aria-label" ? label : null,
        placeholder: names === "placeholder" ? label : null,
      });
      input.addEventListener("input", () => {
        input.value = input.value.replace(/[^0-9]/g, "").slice(0, 4);
        if (VARIANT.pin_redraw) redraw(make, 0);
        changed();
      });
      return input;
    };
    const input = make();
    inputs = [input];
    if (names === "label") wrapper.append(el("label", { class: C("PinEntry.label"), for: id, text: label }));
    wrapper.append(input);
  }
  return {
    element: wrapper,
    value: filled,
    clear() {
      inputs.forEach((i) => (i.value = ""));
      inputs[0].focus();
    },
    focus() {
      inputs[0].focus();
    },
  };
}
