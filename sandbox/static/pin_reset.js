/* The PIN Reset page: new PIN (and its confirmation, in some releases) + current password, Update. */
"use strict";

(async function () {
  if (!Session.requireToken()) return;
  const error = document.getElementById("reset-error");
  const status = document.getElementById("reset-status");
  // The form answers from the moment it shows: a quick Update must not submit it natively
  // while the account is still being fetched.
  document.getElementById("reset-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    status.textContent = "";
    const pin = document.getElementById("new-pin").value;
    const confirm = document.getElementById("confirm-pin");
    const password = document.getElementById("current-password");
    if (!/^[0-9]{4}$/.test(pin)) {
      error.textContent = "PIN must be 4 digits";
      return;
    }
    if (confirm && confirm.value !== pin) {
      error.textContent = "PINs do not match";
      return;
    }
    try {
      await api("POST", "/api/v2/user/pin/reset", { form: { pin, password: password.value } });
      status.textContent = "Your PIN has been updated.";
      event.target.reset();
    } catch (e) {
      error.textContent = e.status === 401 ? refusalText("Incorrect password", "That password isn't the one on the account.") : e.message;
      password.value = "";
    }
  });
  try {
    const me = await api("GET", "/api/v2/user");
    document.getElementById("reset-account").textContent = "Signed in as " + me.email;
  } catch (e) {
    if (e.status === 401) {
      Session.clear();
      Session.toSignIn();
    }
  }
})();
