/* Sign-in: optional "Continue with Email" step, email + password, then a 2FA code when asked. */
"use strict";

(function () {
  const signinForm = document.getElementById("signin-form");
  const codeForm = document.getElementById("code-form");
  const error = document.getElementById("auth-error");
  const providers = document.getElementById("providers");
  let credentials = null;

  /** Only same-site paths are followed, so a crafted link cannot send the user elsewhere. */
  function forwardUrl() {
    const target = new URLSearchParams(location.search).get("forwardUrl") || "";
    return target.startsWith("/") && !target.startsWith("//") ? target : "/desktop/";
  }

  if (providers) {
    for (const button of providers.querySelectorAll("button")) {
      button.addEventListener("click", () => {
        if (button.dataset.testid === "signIn--email") {
          providers.hidden = true;
          signinForm.hidden = false;
          document.getElementById("email").focus();
        } else {
          document.getElementById("provider-note").textContent = "This sign-in method is not available here.";
        }
      });
    }
  }

  async function signIn(form) {
    error.textContent = "";
    try {
      const user = await api("POST", "/api/v2/users/signin", { form });
      Session.save(user.authToken);
      // In a sign-in frame the whole page moves on, as www.plex.tv's does.
      window.top.location.assign(forwardUrl());
    } catch (e) {
      if (e.status === 401 && e.code === 1029 && !form.verificationCode) {
        signinForm.hidden = true;
        codeForm.hidden = false;
        document.getElementById("verificationCode").focus();
        return;
      }
      // A wrong code keeps the API's words; wrong credentials may be told otherwise.
      error.textContent = e.status === 401 && e.code === 1001 ? refusalText(e.message, "Your email or password isn't right.") : e.message;
    }
  }

  signinForm.addEventListener("submit", (event) => {
    event.preventDefault();
    credentials = {
      login: document.getElementById("email").value,
      password: document.getElementById("password").value,
    };
    signIn(credentials);
  });

  codeForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const code = document.getElementById("verificationCode");
    signIn({ ...credentials, verificationCode: code.value.trim() });
    code.value = "";
  });
})();
