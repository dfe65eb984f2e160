/* The web app shell: hash routes, Settings with its sidebar, Plex Home and the PIN dialogs.
 *
 * Every choice the Plex screen contract leaves open is read from VARIANT, so one script can
 * show each way the live site might be built (see sandbox/variants.py). */
"use strict";

(function () {
  const app = document.getElementById("app");
  const portalRoot = document.getElementById("modal-root");
  const V = VARIANT;
  const HOME_ROUTE = "/settings/" + V.home_route;
  const LOCK = "M6 10V7a6 6 0 1 1 12 0v3h1v11H5V10zm2 0h8V7a4 4 0 1 0-8 0z";
  const PENCIL = "M3 17.2V21h3.8l11-11-3.8-3.8zM20.7 7a1 1 0 0 0 0-1.4l-2.3-2.3a1 1 0 0 0-1.4 0l-1.8 1.8 3.7 3.7z";
  const GEAR = "M19.4 13a7.8 7.8 0 0 0 0-2l2.1-1.6-2-3.5-2.5 1a7.6 7.6 0 0 0-1.7-1L15 3h-4l-.4 2.9a7.6 7.6 0 0 0-1.7 1l-2.5-1-2 3.5L6.6 11a7.8 7.8 0 0 0 0 2l-2.1 1.6 2 3.5 2.5-1a7.6 7.6 0 0 0 1.7 1L11 21h4l.4-2.9a7.6 7.6 0 0 0 1.7-1l2.5 1 2-3.5zM13 15.5a3.5 3.5 0 1 1 0-7 3.5 3.5 0 0 1 0 7z";
  const BLANK_AVATAR = "data:image/svg+xml," + encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 80 80"><circle cx="40" cy="40" r="40" fill="#555"/></svg>');
  let me = null;
  let refreshTimer = null;
  // Where dialogs go: the end of <body>, or in place inside Plex Home's content.
  let dialogHost = portalRoot;

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
    topBar();
    window.addEventListener("hashchange", route);
    // Like Plex Web, the shell only appears once the app is ready to respond to it.
    document.getElementById("top-bar").hidden = false;
    route();
    interstitials();
  }

  function icon(path) {
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    const p = document.createElementNS("http://www.w3.org/2000/svg", "path");
    p.setAttribute("d", path);
    svg.append(p);
    return svg;
  }

  /** A control in one of the shapes the contract allows: button, link, role=button, icon. */
  function control(kind, label, onActivate, cls, role) {
    const activate = (event) => {
      event.preventDefault();
      onActivate();
    };
    let node;
    if (kind === "link") node = el("a", { href: V.bare_links ? null : "#", class: cls, text: label, onclick: activate });
    else if (kind === "role-button") {
      node = el("div", { role: role || "button", tabindex: "0", class: cls, text: label, onclick: activate });
      node.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") activate(event);
      });
    } else if (kind === "icon-label" || kind === "icon" || kind === "icon-title") {
      // An icon, named only by aria-label or only by title: a button, or an anchor (with no
      // href under bare_links, and then no role at all).
      const named = kind === "icon-title" ? { title: label } : { "aria-label": label };
      const shape = V.icon_links ? { href: V.bare_links ? null : "#" } : { type: "button" };
      const drawn = kind === "icon-title" || label === V.settings_label ? GEAR : PENCIL;
      node = el(V.icon_links ? "a" : "button", { ...shape, class: cls, ...named, onclick: activate }, icon(drawn));
    } else node = el("button", { type: "button", class: cls, text: label, onclick: activate });
    if (role && kind !== "role-button") node.setAttribute("role", role);
    return node;
  }

  // -- top bar: Settings in the bar, or inside the account menu --------------------------------
  function topBar() {
    const actions = document.getElementById("top-actions");
    const toSettings = () => (location.hash = "#!/settings/account");
    const signOut = () => {
      Session.clear();
      location.assign("/auth");
    };
    if (V.settings_place === "top-bar") {
      actions.append(
        control(V.settings_control, V.settings_label, toSettings, C("App.iconButton")),
        el("button", { type: "button", class: C("App.accountButton"), text: "Sign Out", onclick: signOut })
      );
      return;
    }
    const menu = el("div", { class: C("App.menu"), role: "menu", "aria-label": "Account", hidden: true });
    const close = () => {
      menu.hidden = true;
      trigger.setAttribute("aria-expanded", "false");
    };
    const item = (label, action) => {
      const node = label === V.settings_label
        ? control(V.settings_control, label, action, C("App.menuItem"), "menuitem")
        : el("button", { type: "button", role: "menuitem", class: C("App.menuItem"), text: label, onclick: action });
      node.addEventListener("click", close);
      return node;
    };
    menu.append(
      el("div", { class: C("App.menuTitle"), text: me.title }),
      item("Account", toSettings),
      item(V.settings_label, toSettings),
      item("Sign Out", signOut)
    );
    const trigger = el("button", {
      type: "button",
      class: C("App.avatarButton"),
      "data-testid": "navbarAccountMenuTrigger",
      "aria-haspopup": "menu",
      "aria-expanded": "false",
      "aria-label": me.title,
      text: me.title.slice(0, 1).toUpperCase(),
      onclick: () => {
        menu.hidden = !menu.hidden;
        trigger.setAttribute("aria-expanded", String(!menu.hidden));
      },
    });
    actions.append(el("div", { class: C("App.menuWrap") }, trigger, menu));
  }

  // -- interstitials the live app shows on load -----------------------------------------------
  function interstitials() {
    if (V.cookie_banner !== "none" && !localStorage.getItem("cookieConsent")) {
      const closeLabel = { dismiss: "Dismiss", close: "Close", "not-now": "Not now" }[V.cookie_banner];
      const banner = el("div", { class: C("Cookie.banner"), role: "region", "aria-label": "Cookie consent" },
        el("p", { text: "We use cookies to improve your experience and to measure how Plex is used." }));
      const done = () => {
        localStorage.setItem("cookieConsent", "1");
        banner.remove();
      };
      banner.append(el("div", { class: C("Cookie.actions") },
        el("button", { type: "button", class: C("Button.primary"), text: "Accept All Cookies", onclick: () => {
          // A flow must never choose for the user: accepting is recorded where tests can see it.
          localStorage.setItem("cookieAccepted", "1");
          done();
        } }),
        el("button", { type: "button", class: C("Button.secondary"), text: closeLabel, onclick: done })));
      document.body.append(banner);
    }
    if (V.promo === "none") return;
    const promos = {
      streaming: ["Streaming Services", "Pick the streaming services you use, and Plex will show where to watch."],
      "whats-new": ["What's New", "Plex Web has a new look. Take the tour to see what changed."],
      skip: ["Plex Pass", "Unlock more of Plex with a Plex Pass."],
    };
    const [title, text] = promos[V.promo];
    const backdrop = el("div", { class: C("Promo.backdrop") });
    const dismiss = () => backdrop.remove();
    let closer;
    if (V.promo === "streaming") {
      closer = el("button", { type: "button", class: C("Promo.close"), "aria-label": "Close Streaming Services modal", onclick: dismiss }, "\u00d7");
    } else {
      closer = el("button", { type: "button", class: C("Button.secondary"), text: V.promo === "skip" ? "Skip" : "Not now", onclick: dismiss });
    }
    backdrop.append(el("div", { class: C("Promo.dialog"), role: "dialog", "aria-modal": "true", "aria-label": title },
      closer,
      el("h2", { class: C("Modal.title"), text: title }),
      el("p", { class: C("Modal.text"), text }),
      // Anything but the close control leaves the page: a flow that clicks it goes astray.
      el("a", { class: C("Button.primary"), href: "#!/promo", text: "Get Started", onclick: dismiss })));
    const show = () => document.body.append(backdrop);
    if (V.promo_arrival === "first-press") {
      // Shown as the first control is pressed, before its release: the release lands on the
      // promo, so the click goes to neither (a browser sends it to what both share).
      const onPress = (event) => {
        if (!event.isTrusted) return;
        document.removeEventListener("mousedown", onPress);
        show();
      };
      document.addEventListener("mousedown", onPress);
      return;
    }
    // The promo arrives a moment after the app, as Plex Web's does, over whatever is on screen.
    setTimeout(show, 250);
  }

  function route() {
    clearInterval(refreshTimer);
    closeModal();
    dialogHost = portalRoot;
    const path = location.hash.replace(/^#!?/, "") || "/";
    if (path === HOME_ROUTE) return settings(V.home_route, plexHome);
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
    const item = (key, label) => {
      const current = key === active ? "page" : null;
      const go = () => (location.hash = "#!/settings/" + key);
      const entry = V.sidebar_entry === "link"
        ? el("a", {
          class: C("Settings.navItem"), href: V.bare_links ? null : "#!/settings/" + key, "aria-current": current,
          text: label, onclick: V.bare_links ? go : null,
        })
        : el("button", { type: "button", class: C("Settings.navItem"), "aria-current": current, text: label, onclick: go });
      return el("li", {}, entry);
    };
    const content = el("section", { class: C("Settings.content") });
    const sidebarAttrs = V.sidebar_landmark
      ? { class: C("Settings.sidebar"), "aria-label": "Settings" }
      : { class: C("Settings.sidebar") };
    const sidebar = el(
      V.sidebar_landmark ? "nav" : "div",
      sidebarAttrs,
      el("div", { class: C("Settings.group") },
        el("h2", { class: C("Settings.groupTitle"), text: me.title }),
        el("ul", {}, item("account", "Account"), item(V.home_route, CONFIG.heading), item("devices", "Authorized Devices"))),
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
  const SHAPES = {
    li: { container: () => el("ul", { class: C("PlexHome.list") }), row: "li", wrapInside: true },
    div: { container: () => el("div", { class: C("PlexHome.list") }), row: "div", wrapInside: false },
    article: { container: () => el("section", { class: C("PlexHome.list") }), row: "article", wrapInside: false },
    table: { container: () => el("table", { class: C("PlexHome.table") }), row: "tr", wrapInside: true },
  };

  function plexHome(content) {
    const shape = SHAPES[V.row];
    const list = shape.container();
    const body = V.row === "table" ? el("tbody") : list;
    if (body !== list) list.append(body);
    const inlineHost = el("div", { class: C("PlexHome.dialogs") });
    if (V.dialog_place === "inline") dialogHost = inlineHost;
    const spinner = el("div", { class: C("PlexHome.spinner"), role: "progressbar", "aria-label": "Loading users" });
    content.replaceChildren(
      el("h1", { class: C("Settings.heading"), text: CONFIG.heading }),
      el("p", { class: C("Settings.description"), text: "Share your Plex account with family members. Switch between users and protect each profile with a PIN." }),
      el("div", { class: C("PlexHome.buttons") },
        el("button", { type: "button", class: C("Button.primary"), text: "Create Managed Account" }),
        el("button", { type: "button", class: C("Button.secondary"), text: "Invite Plex User" })),
      V.list_delay_ms ? spinner : list,
      inlineHost
    );
    const view = { users: [], hovered: null, body, shape };
    const refresh = async () => {
      try {
        const home = await api("GET", "/api/v2/home/users");
        view.users = home.users;
      } catch (e) {
        if (e.status === 401) return signedOut();
        body.replaceChildren(el(shape.row, { role: "alert", class: C("Form.error"), text: e.message }));
        return;
      }
      renderRows(view);
    };
    view.refresh = refresh;
    const first = () => {
      if (spinner.isConnected) spinner.replaceWith(list);
      refresh();
      if (V.rerender) {
        // Plex Web polls and re-renders the list; rows become new DOM nodes each time.
        refreshTimer = setInterval(() => {
          if (!openDialogs().length) refresh();
        }, 1000);
      }
    };
    if (V.list_delay_ms) refreshTimer = setTimeout(first, V.list_delay_ms);
    else first();
  }

  /** What each row shows: the Home's users, plus (in some releases) invites and guests. */
  function entries(users) {
    const ordered = users.slice();
    if (V.owner_last) ordered.push(ordered.shift());
    const rows = ordered.map((user) => ({ user, title: user.title }));
    if (V.extra_rows && users.length > 1) {
      // A guest whose name starts a member's, and an invitation nobody has accepted yet.
      rows.splice(1, 0, { guest: true, title: users[1].title + "a" });
      rows.push({ invite: true, title: "robin@example.test" });
    }
    return rows;
  }

  function pinRequired() {
    if (V.pin_required === "text") return el("span", { class: C("UserRow.pinRequired"), text: "PIN Required" });
    if (V.pin_required === "badge") {
      return el("span", { class: C("UserRow.badge") + " " + C("UserRow.pinBadge") }, icon(LOCK), "PIN Required");
    }
    return el("span", { class: C("UserRow.pinRequired") }, icon(LOCK), el("span", { text: "PIN" }), " ", el("span", { text: "Required" }));
  }

  function wrap(node, levels, cls) {
    for (let i = 0; i < levels; i++) node = el("div", { class: cls }, node);
    return node;
  }

  function renderRows(view) {
    const scripted = V.reveal === "script";
    const rows = entries(view.users).map((entry) => {
      const user = entry.user;
      const key = user ? user.id : entry.title;
      const hovered = scripted && view.hovered === key;
      const meta = [];
      if (entry.guest) meta.push(el("span", { class: C("UserRow.badge"), text: "Guest" }));
      if (entry.invite) meta.push(el("span", { class: C("UserRow.badge"), text: "Invite pending" }));
      if (user && user.admin) meta.push(el("span", { class: C("UserRow.badge"), text: "Admin" }));
      if (user && user.restricted) meta.push(el("span", { class: C("UserRow.badge"), text: "Managed" }));
      if (user && user.protected) meta.push(pinRequired());
      let action = null;
      if (entry.invite) {
        action = el("button", { type: "button", class: C("Button.secondary"), text: "Cancel Invite" });
      } else if (!scripted || hovered) {
        const label = user && user.protected ? V.edit_pin_label : "Set PIN";
        // A guest's control opens nothing: a flow that picks the wrong row stops right there.
        action = control(V.pin_control, label, () => user && openEditPin(view, user), C("UserRow.editPin"));
      }
      const avatar = el("img", { class: C("UserRow.avatar"), src: user ? user.thumb : BLANK_AVATAR, alt: "" });
      const details = el("div", { class: C("UserRow.details") },
        el("span", { class: C("UserRow.name"), text: entry.title }),
        el("div", { class: C("UserRow.meta") }, meta));
      const wrapper = C("UserRow.wrapper");
      let row;
      if (V.row === "table") {
        row = el("tr", { class: C("UserRow.row"), tabindex: "0" },
          el("td", {}, avatar), el("td", {}, wrap(details, V.row_wrappers, wrapper)), el("td", {}, action));
      } else if (view.shape.wrapInside) {
        row = el(view.shape.row, { class: C("UserRow.row"), tabindex: "0" },
          wrap(el("div", { class: C("UserRow.inner") }, avatar, details, action), V.row_wrappers, wrapper));
      } else {
        row = el(view.shape.row, { class: C("UserRow.row"), tabindex: "0" }, avatar, details, action);
      }
      if (hovered) row.classList.add(C("UserRow.hovered"));
      if (scripted) {
        const reveal = () => {
          if (view.hovered !== key) {
            view.hovered = key;
            renderRows(view);
          }
        };
        row.addEventListener("mouseenter", reveal);
        row.addEventListener("focus", reveal);
        row.addEventListener("mouseleave", () => {
          if (view.hovered === key) {
            view.hovered = null;
            renderRows(view);
          }
        });
      }
      row.dataset.key = key;
      return view.shape.wrapInside ? row : wrap(row, V.row_wrappers, wrapper);
    });
    // Re-rendering replaces the focused row; keyboard focus follows it to its new node.
    const focused = view.body.contains(document.activeElement) ? document.activeElement.dataset.key : null;
    view.body.replaceChildren(...rows);
    if (focused) {
      const again = view.body.querySelector('[data-key="' + CSS.escape(focused) + '"]');
      if (again) again.focus({ preventScroll: true });
    }
  }

  // -- dialogs --------------------------------------------------------------------------------
  function openDialogs() {
    return [...document.querySelectorAll("[data-modal]:not([data-leaving])")];
  }

  /** Close every open dialog, with the variant's closing transition. */
  function closeModal() {
    for (const backdrop of openDialogs()) {
      backdrop.dataset.leaving = "1";
      if (!V.transition_ms) {
        backdrop.remove();
        continue;
      }
      backdrop.classList.add(C("Modal.leaving"));
      setTimeout(() => backdrop.remove(), V.transition_ms);
    }
  }

  function modal(title, ...children) {
    closeModal();
    const titleId = "dialog-title-" + Math.random().toString(36).slice(2, 8);
    const dialog = el(
      "div",
      { class: C("Modal.dialog"), role: "dialog", "aria-modal": "true", "aria-labelledby": titleId },
      el("h2", { class: C("Modal.title"), id: titleId, text: title }),
      ...children
    );
    const backdrop = el("div", { class: C("Modal.backdrop"), "data-modal": "1" }, dialog);
    if (V.transition_ms) {
      backdrop.classList.add(C("Modal.entering"));
      requestAnimationFrame(() => requestAnimationFrame(() => backdrop.classList.remove(C("Modal.entering"))));
    }
    dialogHost.append(backdrop);
    return dialog;
  }

  function afterChange(view) {
    // No confirmation message: the dialog closes and the list shows the new state.
    closeModal();
    view.refresh();
  }

  /** Where a dialog says what went wrong: an alert region, or plain text with no role. */
  function refusal() {
    return el("p", { role: V.error_shape === "alert" ? "alert" : null, class: C("Modal.error") });
  }

  function openEditPin(view, user) {
    if (user.protected && !user.restricted) confirmCurrentPin(view, user);
    else editPin(view, user, null);
  }

  function confirmCurrentPin(view, user) {
    const error = refusal();
    let busy = false;
    const submit = async (pin) => {
      if (busy) return;
      if (!/^[0-9]{4}$/.test(pin)) {
        error.textContent = "PIN must be 4 digits";
        return;
      }
      busy = true;
      error.textContent = "";
      try {
        await api("POST", "/api/v2/home/users/" + user.id + "/pin/verify", { query: { pin } });
        editPin(view, user, pin);
      } catch (e) {
        error.textContent = e.status === 401 ? refusalText("Incorrect PIN", "That PIN didn't work. Check it and try again.") : e.message;
        entry.clear();
      } finally {
        busy = false;
      }
    };
    const entry = pinEntry(V.current_pin_label, V.auto_submit ? submit : null);
    const actions = el("div", { class: C("Modal.actions") },
      el("button", { type: "button", class: C("Button.secondary"), text: "Cancel", onclick: closeModal }),
      V.auto_submit ? null : el("button", {
        type: "button", class: C("Button.primary"), text: "Continue", onclick: () => submit(entry.value()),
      }));
    modal("Confirm Current PIN",
      el("p", { class: C("Modal.text"), text: "Enter the current PIN for " + user.title + "." }),
      entry.element, error, actions);
    entry.focus();
  }

  function editPin(view, user, currentPin) {
    const error = refusal();
    const entry = pinEntry(V.pin_label, null);
    const again = V.confirm_pin ? pinEntry(V.confirm_pin_label, null) : null;
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
    const remove = user.protected && !V.drop_remove
      ? (V.remove_control === "link"
        ? el("a", { href: V.bare_links ? null : "#", class: C("Modal.removeLink"), text: "Remove", onclick: (e) => { e.preventDefault(); change(""); } })
        : el("button", { type: "button", class: C("Modal.removeLink"), text: "Remove", onclick: () => change("") }))
      : null;
    modal("Edit PIN",
      el("img", { class: C("Modal.avatar"), src: user.thumb, alt: "" }),
      el("div", { class: C("Modal.userName"), text: user.title }),
      remove,
      el("p", { class: C("Modal.text"), text: user.protected ? "Enter a new 4-digit PIN." : "Choose a 4-digit PIN to protect this profile." }),
      entry.element,
      again ? again.element : null,
      error,
      el("div", { class: C("Modal.actions") },
        el("button", { type: "button", class: C("Button.secondary"), text: "Cancel", onclick: closeModal }),
        el("button", {
          type: "button", class: C("Button.primary"), text: "Save",
          onclick: () => {
            const pin = entry.value();
            if (!/^[0-9]{4}$/.test(pin)) error.textContent = "PIN must be 4 digits";
            else if (again && again.value() !== pin) error.textContent = "PINs do not match";
            else change(pin);
          },
        })));
    entry.focus();
  }

  start();
})();
