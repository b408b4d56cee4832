// A vendor's code against sis-onboard.d.ts: `tsc --strict` must accept every line, and
// the lines marked @ts-expect-error must stay errors (the types really constrain).
import { SisOnboard } from "../../js/sis-onboard.js";
import type { ErrorDetail, Handle, MountOptions, StepId, SuccessDetail, SuccessMode } from "../../js/sis-onboard.js";

const target = document.getElementById("onboarding");
if (target) {
  const options: MountOptions = {
    session: "sos_example",
    api: "https://onboarding.example",
    lang: "es",
    theme: "dark",
    onReady: ({ sessionId, step }) => console.log(sessionId, step satisfies StepId),
    onStepChange: ({ step, previous }) => console.log(step, previous),
    onValidation: ({ outcome, code }) => console.log(outcome === "passed", code?.toUpperCase()),
    onSuccess: (detail: SuccessDetail) => console.log(detail.connectionId, detail.strategy, detail.region),
    onExit: ({ step, reason }) => console.log(step, reason === "removed"),
    onError: ({ code, message }: ErrorDetail) => console.log(code, message),
  };
  const handle: Handle = SisOnboard.mount(target, options);
  handle.element.onSuccess = ({ connectionId }) => console.log(connectionId);
  handle.destroy();
  // @ts-expect-error: a theme the wizard does not know
  SisOnboard.mount(target, { session: "sos_example", theme: "sepia" });
}

// The DOM knows the element and its events without casts.
const element = document.querySelector("sis-onboard");
element?.addEventListener("sis-onboard:success", (event) => {
  const id: string = event.detail.connectionId;
  const mode: SuccessMode = event.detail.mode;
  console.log(id, event.detail.source, mode === "repair");
  // @ts-expect-error: a mode the wizard never sends
  console.log(event.detail.mode === "relink");
});
document.addEventListener("sis-onboard:exit", (event) => {
  const step: StepId = event.detail.step;
  console.log(step);
});
window.addEventListener("sis-onboard:error", (event) => console.log(event.detail.code));
console.log(window.SisOnboard.version);
// @ts-expect-error: success carries no secret, nor anything but its five fields
document.addEventListener("sis-onboard:success", (event) => console.log(event.detail.clientSecret));
