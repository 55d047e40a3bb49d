/** Toasts: one per failed goal (keyed, so a new failure replaces the old one), with actions. */

/** A toast's button; every toast also gets a "Dismiss" one. */
export interface ToastAction {
  readonly label: string;
  readonly ariaLabel?: string | undefined;
  readonly onClick: () => void;
}

/** The page's toast region (index.html's `#toasts`). */
function region(): HTMLElement {
  const node = document.getElementById("toasts");
  if (!node) throw new Error("the page has no #toasts region");
  return node;
}

/**
 * @param id one toast per id (a goal key)
 */
export function showToast(id: string, message: string, actions: readonly ToastAction[] = []): void {
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
  const dismiss: ToastAction = {
    label: "Dismiss",
    onClick: () => {
      // dismissing is all it does
    },
  };
  for (const action of [...actions, dismiss]) {
    buttons.append(actionButton(id, action));
  }
  toast.append(buttons);
  region().append(toast);
}

function actionButton(id: string, { label, ariaLabel, onClick }: ToastAction): HTMLButtonElement {
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

export function dismissToast(id: string): void {
  for (const toast of region().querySelectorAll<HTMLElement>(".toast")) {
    if (toast.dataset.toastFor === id) toast.remove();
  }
}

export function clearToasts(): void {
  region().replaceChildren();
}
