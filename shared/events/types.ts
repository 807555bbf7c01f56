// CloudEvent type names of the selfheal event contract (reverse-DNS; versioned by adding fields only).
export const EventType = {
  ping: 'dev.knative.sources.ping',
  checkFailed: 'io.selfheal.check.failed',
  checkPassed: 'io.selfheal.check.passed',
  /** A pod not probed on purpose (starting, terminating, in its startup grace): no Trigger takes it to the healer. */
  checkSkipped: 'io.selfheal.check.skipped',
  healPerformed: 'io.selfheal.heal.performed',
  healSkipped: 'io.selfheal.heal.skipped',
  healFailed: 'io.selfheal.heal.failed',
  proxySwitched: 'io.selfheal.proxy.switched',
  alert: 'io.selfheal.alert',
} as const;

export type EventTypeName = (typeof EventType)[keyof typeof EventType];

export const CHECK_RESULT_TYPES = [EventType.checkFailed, EventType.checkPassed] as const;
export const HEALER_EMITTED_TYPES = [
  EventType.healPerformed,
  EventType.healSkipped,
  EventType.healFailed,
  EventType.proxySwitched,
  EventType.alert,
] as const;
