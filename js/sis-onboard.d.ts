/**
 * TypeScript definitions of sis-onboard's embedding API: the `<sis-onboard>` element, its
 * events and callbacks, and `SisOnboard.mount`. See `docs/embedding.md` for the guide.
 *
 * Importing the module defines the element (loading it more than once is harmless):
 *
 * ```ts
 * import { SisOnboard } from "https://vendor.example/sis-onboard/sis-onboard.js";
 * ```
 *
 * @packageDocumentation
 */

/** A step of the wizard, as named in events. */
export type StepId =
  | "start"
  | "source"
  | "region"
  | "strategy"
  | "data-extract"
  | "generate-connection"
  | "credentials"
  | "done";

/** The wizard's colour scheme; `auto` (the default) follows `prefers-color-scheme`. */
export type Theme = "light" | "dark" | "auto";

/** How the district's data reaches the vendor. */
export type Strategy = "oneroster_api" | "custom_data_extract";

/** Why the wizard was left before it finished. */
export type ExitReason =
  /** The administrator clicked Exit. */
  | "exit_button"
  /** The element was removed from the document, or its handle destroyed. */
  | "removed";

/** Why a "Validate Configuration" could not be run: the network or the proxy failed. */
export type ValidationFailureCode =
  /** The browser has no network. */
  | "offline"
  /** The proxy could not be reached. */
  | "unreachable"
  /** The session ran out; the vendor's backend must open a new one. */
  | "session_expired"
  /** The proxy does not know the session token. */
  | "invalid_session"
  /** Too many attempts; the administrator should wait a moment. */
  | "rate_limited"
  /** Anything else. */
  | "other";

/**
 * The code of a failed validation: one of the proxy's validation error codes
 * (`invalid_client`, `one_roster11`, `not_https`, …) or a {@link ValidationFailureCode}.
 * Never a credential.
 */
// `string & {}` keeps editor completion for the known codes while accepting new ones.
export type ValidationCode = ValidationFailureCode | (string & {});

/** What `sis-onboard:error` reports. */
export type ErrorCode =
  /** The element has no `session` attribute (or the options no `session`). */
  | "missing_session"
  /** The `api` attribute is not a usable URL. */
  | "bad_api"
  /** The proxy does not know the session token. */
  | "invalid_session"
  /** The session ran out; the vendor's backend must open a new one. */
  | "session_expired"
  /** The browser has no network. */
  | "offline"
  /** The proxy could not be reached. */
  | "unreachable"
  /** Too many requests; the proxy asked to wait. */
  | "rate_limited"
  /** The wizard's own files (script, wasm, stylesheet) could not be loaded. */
  | "load_failed"
  /** Anything else. */
  | "other";

/** Detail of `sis-onboard:ready`: the session loaded and the first step is on screen. */
export interface ReadyDetail {
  /** The session's public id (not its token). */
  readonly sessionId: string;
  /** The step on screen (not always `start`: progress is kept across reloads). */
  readonly step: StepId;
}

/** Detail of `sis-onboard:step`: the administrator moved to another step. */
export interface StepDetail {
  /** The step now on screen. */
  readonly step: StepId;
  /** The step the administrator left. */
  readonly previous: StepId;
}

/** Detail of `sis-onboard:validation`: a "Validate Configuration" finished. */
export interface ValidationDetail {
  /** Whether the credentials and the OneRoster connection passed. */
  readonly outcome: "passed" | "failed";
  /** Why it failed; `null` when it passed. */
  readonly code: ValidationCode | null;
}

/** What a session did with its connection. */
export type SuccessMode =
  /** An ordinary session stored a new connection. */
  | "create"
  /** A repair session replaced the credentials of an existing connection (same id). */
  | "repair";

/** Detail of `sis-onboard:success`: the connection is stored. Never a secret. */
export interface SuccessDetail {
  /** The stored connection's id, to look it up with the proxy's API. */
  readonly connectionId: string;
  /** The data source chosen (e.g. `infinite_campus`). */
  readonly source: string;
  /** How the district's data reaches the vendor. */
  readonly strategy: Strategy;
  /** The data storage region chosen (e.g. `us`). */
  readonly region: string;
  /** `repair` when the session repaired an existing connection (its id unchanged). */
  readonly mode: SuccessMode;
}

/** Detail of `sis-onboard:exit`: the wizard was left before it finished. */
export interface ExitDetail {
  /** The step the administrator was on. */
  readonly step: StepId;
  /** What ended it. */
  readonly reason: ExitReason;
}

/** Detail of `sis-onboard:error`; the element also shows a message inside itself. */
export interface ErrorDetail {
  /** A stable, machine-readable code. */
  readonly code: ErrorCode;
  /** A plain-language description, for logs (English). */
  readonly message: string;
}

/**
 * The events a `<sis-onboard>` element dispatches, by name. All are `CustomEvent`s that
 * bubble and cross the shadow boundary (`bubbles: true, composed: true`), so a listener on
 * the element, any ancestor, `document` or `window` sees them.
 */
export interface SisOnboardEventMap {
  /** The session loaded and the first step is on screen. */
  "sis-onboard:ready": CustomEvent<ReadyDetail>;
  /** The administrator moved to another step. */
  "sis-onboard:step": CustomEvent<StepDetail>;
  /** A "Validate Configuration" finished. */
  "sis-onboard:validation": CustomEvent<ValidationDetail>;
  /** The connection is stored. */
  "sis-onboard:success": CustomEvent<SuccessDetail>;
  /** The administrator clicked Exit, or the element went away before finishing. */
  "sis-onboard:exit": CustomEvent<ExitDetail>;
  /** Something kept the wizard from working. */
  "sis-onboard:error": CustomEvent<ErrorDetail>;
}

/**
 * Optional callbacks, each called with its event's `detail`: set as properties of the
 * element, or passed to {@link SisOnboardApi.mount}. They run as well as, not instead of,
 * the events.
 */
export interface SisOnboardCallbacks {
  /** Called with the detail of `sis-onboard:ready`. */
  onReady?: ((detail: ReadyDetail) => void) | null;
  /** Called with the detail of `sis-onboard:step`. */
  onStepChange?: ((detail: StepDetail) => void) | null;
  /** Called with the detail of `sis-onboard:validation`. */
  onValidation?: ((detail: ValidationDetail) => void) | null;
  /** Called with the detail of `sis-onboard:success`. */
  onSuccess?: ((detail: SuccessDetail) => void) | null;
  /** Called with the detail of `sis-onboard:exit`. */
  onExit?: ((detail: ExitDetail) => void) | null;
  /** Called with the detail of `sis-onboard:error`. */
  onError?: ((detail: ErrorDetail) => void) | null;
}

/** What {@link SisOnboardApi.mount} configures the new element with. */
export interface MountOptions extends SisOnboardCallbacks {
  /** The session token the vendor's backend got from `POST /v1/sessions` (`sos_…`). */
  session: string;
  /** The proxy's base URL; the page's own origin when absent or `/`. */
  api?: string;
  /** A BCP 47 tag: `es…` is Spanish, `fr…` French, anything else English; the browser's languages when absent. */
  lang?: string;
  /** The colour scheme; `auto` when absent. */
  theme?: Theme;
}

/** What {@link SisOnboardApi.mount} returns. */
export interface Handle {
  /** The `<sis-onboard>` element that was appended to the target. */
  readonly element: SisOnboardElement;
  /**
   * Removes the element (the wizard cleans up, and `sis-onboard:exit` with reason
   * `removed` fires if it had not finished). Calling it again does nothing.
   */
  destroy(): void;
}

/**
 * The `<sis-onboard>` element. Configured by attributes: `session` (required), `api`,
 * `lang`, `theme`. Changing `theme` applies at once; changing `session`, `api` or `lang`
 * re-renders the wizard, keeping the progress but not a typed secret.
 */
export interface SisOnboardElement extends HTMLElement, SisOnboardCallbacks {
  addEventListener<K extends keyof SisOnboardElementEventMap>(
    type: K,
    listener: (this: SisOnboardElement, event: SisOnboardElementEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions,
  ): void;
  removeEventListener<K extends keyof SisOnboardElementEventMap>(
    type: K,
    listener: (this: SisOnboardElement, event: SisOnboardElementEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | EventListenerOptions,
  ): void;
}

/** Every event a `<sis-onboard>` element can dispatch: an element's and the wizard's own. */
export interface SisOnboardElementEventMap extends HTMLElementEventMap, SisOnboardEventMap {}

/** The JavaScript API: `window.SisOnboard`, also the module's named export. */
export interface SisOnboardApi {
  /** The version of the wizard that was loaded. */
  readonly version: string;
  /**
   * Appends a `<sis-onboard>` element configured from `options` to `target`; the wizard
   * starts at once.
   */
  mount(target: Element, options: MountOptions): Handle;
}

/** The JavaScript API (the same object as `window.SisOnboard`). */
export declare const SisOnboard: SisOnboardApi;

declare global {
  interface HTMLElementTagNameMap {
    /** The sis-onboard wizard. */
    "sis-onboard": SisOnboardElement;
  }

  interface Window {
    /** sis-onboard's JavaScript API, set when its script has run. */
    SisOnboard: SisOnboardApi;
  }

  // The events bubble and are composed, so listeners anywhere up the tree get them typed.
  interface HTMLElementEventMap extends SisOnboardEventMap {}
  interface DocumentEventMap extends SisOnboardEventMap {}
  interface WindowEventMap extends SisOnboardEventMap {}
}
