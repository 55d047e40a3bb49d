/** Toasts: one per failed goal (keyed, so a new failure replaces the old one), with actions. */

const region = () => document.getElementById("toasts");

/**
 * @param {string} id one toast per id (a goal key)
 * @param {string} message
 * @param {{label: string, ariaLabel?: string, onClick: () => void}[]} actions
 */
export function showToast(id, message, actions = []) {
  dismissToast(id);
  const toast = document.createElement("div");
  toast.className = "toast";
  toast.dataset.toastFor = id;
  toast.setAttribute("role", "alert");
  const text = document.createElement("p");
  text.textContent = message;
  toast.append(text);
  const buttons = document.createElement("div");
  buttons.className = "toast-actions";
  for (const action of [...actions, { label: "Dismiss", onClick: () => {} }]) {
    buttons.append(actionButton(id, action));
  }
  toast.append(buttons);
  region().append(toast);
}

function actionButton(id, { label, ariaLabel, onClick }) {
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = label;
  if (ariaLabel) button.setAttribute("aria-label", ariaLabel);
  button.addEventListener("click", () => {
    dismissToast(id);
    onClick();
  });
  return button;
}

export function dismissToast(id) {
  for (const toast of region().querySelectorAll(".toast")) {
    if (toast.dataset.toastFor === id) toast.remove();
  }
}

export function clearToasts() {
  region().replaceChildren();
}
