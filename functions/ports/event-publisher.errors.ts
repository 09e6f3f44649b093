/** Errors of the `EventPublisher` port; messages name detail types and error codes, never a detail. */
import { StewardError } from '../core/errors.ts';

/** Publishing failed; a narrower class says how. */
export class EventPublisherError extends StewardError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EventPublisherError';
  }
}

/** Some events could not be published after every attempt; names detail types and error codes only. */
export class EventPublishError extends EventPublisherError {
  constructor(
    readonly failures: readonly { readonly detailType: string; readonly errorCode: string }[],
    options?: { cause?: unknown },
  ) {
    const codes = [...new Set(failures.map((f) => `${f.detailType}: ${f.errorCode}`))].join('; ');
    super(`${failures.length} event(s) not published: ${codes}`, options);
    this.name = 'EventPublishError';
  }
}

/** One event is larger than the bus accepts on its own: no retry can publish it. */
export class EventTooLargeError extends EventPublisherError {
  constructor(detailType: string, bytes: number, limitBytes: number) {
    super(`a "${detailType}" event is ${bytes} bytes, over PutEvents' ${limitBytes}-byte limit`);
    this.name = 'EventTooLargeError';
  }
}
