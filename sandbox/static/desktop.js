/* The web app shell: hash routes, Settings with its sidebar, Plex Home and the PIN dialogs. */
"use strict";

(function () {
  const app = document.getElementById("app");
  const modalRoot = document.getElementById("modal-root");
  const REFRESH_MS = 4000;
  let me = null;
  let refreshTimer = null;

  function signedOut() {
    Session.clear();
    Session.toSignIn();
  }

  async function start() {
    if (!Session.requireToken()) return;
    try {
      me = await api("GET", "/api/v2/user");
    } catch (e) {
      if (e.status === 401) return signedOut();
      app.replaceChildren(el("p", { role: "alert", class: C("Form.error"), text: e.message }));
      return;
    }
    document.getElementById("settings-button").addEventListener("click", () => (location.hash = "#!/settings/account"));
    document.getElementById("account-button").addEventListener("click", () => {
      Session.clear();
      location.assign("/auth");
    });
    window.addEventListener("hashchange", route);
    // Like Plex Web, the shell only appears once the app is ready to respond to it.
    document.getElementById("top-bar").hidden = false;
    route();
  }

  function route() {
    clearInterval(refreshTimer);
    closeModal();
    const path = location.hash.replace(/^#!?/, "") || "/";
    if (path === "/settings/plex-home") return settings("plex-home", plexHome);
    if (path.startsWith("/settings")) return settings("account", account);
    return hub();
  }

  function hub() {
    const posters = ["Movies", "TV Shows", "Music"].map((name) => el("div", { class: C("Hub.poster"), text: name }));
    app.replaceChildren(
      el("section", { class: C("Hub.wrapper") }, el("h1", { text: "Home" }), el("div", { class: C("Hub.row") }, posters))
    );
  }

  function settings(active, render) {
    const item = (key, label) =>
      el("li", {}, el("a", {
        class: C("Settings.navItem"),
        href: "#!/settings/" + key,
        "aria-current": key === active ? "page" : null,
        text: label,
      }));
    const content = el("section", { class: C("Settings.content") });
    const sidebar = el(
      "nav",
      { class: C("Settings.sidebar"), "aria-label": "Settings" },
      el("div", { class: C("Settings.group") },
        el("h2", { class: C("Settings.groupTitle"), text: me.title }),
        el("ul", {}, item("account", "Account"), item("plex-home", CONFIG.heading), item("devices", "Authorized Devices"))),
      el("div", { class: C("Settings.group") },
        el("h2", { class: C("Settings.groupTitle"), text: "Plex Web" }),
        el("ul", {}, item("web-general", "General"), item("web-player", "Player")))
    );
    app.replaceChildren(el("div", { class: C("Settings.layout") }, sidebar, content));
    render(content);
  }

  function account(content) {
    content.replaceChildren(
      el("h1", { class: C("Settings.heading"), text: "Account" }),
      el("p", { class: C("Settings.description"), text: "Signed in as " + me.email }),
      el("p", {}, el("a", { href: "/pin/reset", text: "Forgot your PIN? Reset it" }))
    );
  }

  // -- Plex Home ------------------------------------------------------------------------------
  function plexHome(content) {
    const list = el("ul", { class: C("PlexHome.list") });
    content.replaceChildren(
      el("h1", { class: C("Settings.heading"), text: CONFIG.heading }),
      el("p", { class: C("Settings.description"), text: "Share your Plex account with family members. Switch between users and protect each profile with a PIN." }),
      el("div", { class: C("PlexHome.buttons") },
        el("button", { type: "button", class: C("Button.primary"), text: "Create Managed Account" }),
        el("button", { type: "button", class: C("Button.secondary"), text: "Invite Plex User" })),
      list
    );
    const view = { users: [], hovered: null, list };
    const refresh = async () => {
      try {
        const home = await api("GET", "/api/v2/home/users");
        view.users = home.users;
      } catch (e) {
        if (e.status === 401) return signedOut();
        list.replaceChildren(el("li", { role: "alert", class: C("Form.error"), text: e.message }));
        return;
      }
      renderRows(view);
    };
    view.refresh = refresh;
    refresh();
    if (VARIANT.reveal === "script") {
      // Plex Web polls and re-renders the list; rows become new DOM nodes each time.
      refreshTimer = setInterval(() => {
        if (!modalRoot.firstChild) refresh();
      }, REFRESH_MS);
    }
  }

  function renderRows(view) {
    const scripted = VARIANT.reveal === "script";
    const rows = view.users.map((user) => {
      const hovered = scripted && view.hovered === user.id;
      const badges = [];
      if (user.admin) badges.push(el("span", { class: C("UserRow.badge"), text: "Admin" }));
      if (user.restricted) badges.push(el("span", { class: C("UserRow.badge"), text: "Managed" }));
      if (user.protected) badges.push(el("span", { class: C("UserRow.pinRequired"), text: "PIN Required" }));
      const editPin = el("a", {
        href: "#",
        class: C("UserRow.editPin"),
        text: VARIANT.edit_pin_label,
        onclick: (event) => {
          event.preventDefault();
          openEditPin(view, user);
        },
      });
      const row = el(
        "li",
        { class: C("UserRow.row") + (hovered ? " " + C("UserRow.hovered") : ""), tabindex: "0" },
        el("img", { class: C("UserRow.avatar"), src: user.thumb, alt: "" }),
        el("div", { class: C("UserRow.details") },
          el("span", { class: C("UserRow.name"), text: user.title }),
          el("div", { class: C("UserRow.meta") }, badges)),
        !scripted || hovered ? editPin : null
      );
      if (scripted) {
        const reveal = () => {
          if (view.hovered !== user.id) {
            view.hovered = user.id;
            renderRows(view);
          }
        };
        row.addEventListener("mouseenter", reveal);
        row.addEventListener("focus", reveal);
        row.addEventListener("mouseleave", () => {
          if (view.hovered === user.id) {
            view.hovered = null;
            renderRows(view);
          }
        });
      }
      return row;
    });
    // Re-rendering replaces the focused row; keyboard focus follows it to its new node.
    const hadFocus = view.list.contains(document.activeElement);
    view.list.replaceChildren(...rows);
    if (hadFocus && view.hovered !== null) {
      const index = view.users.findIndex((u) => u.id === view.hovered);
      if (index >= 0) rows[index].focus({ preventScroll: true });
    }
  }

  // -- dialogs --------------------------------------------------------------------------------
  function closeModal() {
    modalRoot.replaceChildren();
  }

  function modal(title, ...children) {
    const titleId = "dialog-title-" + Math.random().toString(36).slice(2, 8);
    const dialog = el(
      "div",
      { class: C("Modal.dialog"), role: "dialog", "aria-modal": "true", "aria-labelledby": titleId },
      el("h2", { class: C("Modal.title"), id: titleId, text: title }),
      ...children
    );
    modalRoot.replaceChildren(el("div", { class: C("Modal.backdrop") }, dialog));
    return dialog;
  }

  function afterChange(view) {
    // No confirmation message: the dialog closes and the list shows the new state.
    closeModal();
    view.refresh();
  }

  function openEditPin(view, user) {
    if (user.protected && !user.restricted) confirmCurrentPin(view, user);
    else editPin(view, user, null);
  }

  function confirmCurrentPin(view, user) {
    const error = el("p", { role: "alert", class: C("Modal.error") });
    let busy = false;
    const submit = async (pin) => {
      if (busy) return;
      if (!/^\d{4}$/.test(pin)) {
        error.textContent = "PIN must be 4 digits";
        return;
      }
      busy = true;
      error.textContent = "";
      try {
        await api("POST", "/api/v2/home/users/" + user.id + "/pin/verify", { query: { pin } });
        editPin(view, user, pin);
      } catch (e) {
        error.textContent = e.status === 401 ? "Incorrect PIN" : e.message;
        entry.clear();
      } finally {
        busy = false;
      }
    };
    const entry = pinEntry("PIN", VARIANT.auto_submit ? submit : null);
    const actions = el("div", { class: C("Modal.actions") },
      el("button", { type: "button", class: C("Button.secondary"), text: "Cancel", onclick: closeModal }),
      VARIANT.auto_submit ? null : el("button", {
        type: "button", class: C("Button.primary"), text: "Continue", onclick: () => submit(entry.value()),
      }));
    modal("Confirm Current PIN",
      el("p", { class: C("Modal.text"), text: "Enter the current PIN for " + user.title + "." }),
      entry.element, error, actions);
    entry.focus();
  }

  function editPin(view, user, currentPin) {
    const error = el("p", { role: "alert", class: C("Modal.error") });
    const entry = pinEntry("New PIN", null);
    const change = async (newPin) => {
      try {
        if (user.restricted) {
          const query = newPin ? { pin: newPin } : { removePin: "1" };
          await api("POST", "/api/v2/home/users/restricted/" + user.id, { query });
        } else {
          const query = { pin: newPin };
          if (currentPin) query.currentPin = currentPin;
          await api("PUT", "/api/home/users/" + user.id, { query });
        }
        afterChange(view);
      } catch (e) {
        error.textContent = e.message;
      }
    };
    const remove = user.protected && !VARIANT.drop_remove
      ? el("button", { type: "button", class: C("Modal.removeLink"), text: "Remove", onclick: () => change("") })
      : null;
    modal("Edit PIN",
      el("img", { class: C("Modal.avatar"), src: user.thumb, alt: "" }),
      el("div", { class: C("Modal.userName"), text: user.title }),
      remove,
      el("p", { class: C("Modal.text"), text: user.protected ? "Enter a new 4-digit PIN." : "Choose a 4-digit PIN to protect this profile." }),
      entry.element,
      error,
      el("div", { class: C("Modal.actions") },
        el("button", { type: "button", class: C("Button.secondary"), text: "Cancel", onclick: closeModal }),
        el("button", {
          type: "button", class: C("Button.primary"), text: "Save",
          onclick: () => {
            const pin = entry.value();
            if (!/^\d{4}$/.test(pin)) error.textContent = "PIN must be 4 digits";
            else change(pin);
          },
        })));
    entry.focus();
  }

  start();
})();
