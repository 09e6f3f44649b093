/** Where the platform files tickets: OpsCenter by default, GitHub Issues or Jira by setting. */

export interface TicketRef {
  readonly tracker: 'opscenter' | 'github' | 'jira';
  readonly id: string;
  readonly url?: string;
}

export type TicketSeverity = 'critical' | 'high' | 'medium' | 'low';

export interface TicketRequest {
  /**
   * Identity of the problem, e.g. `value-drift:/config/production/orders/max-retries`. While a ticket
   * with this key is open, filing again returns it instead of creating another.
   */
  readonly dedupKey: string;
  readonly title: string;
  /** Markdown; never a secret value. */
  readonly body: string;
  readonly severity: TicketSeverity;
  /** A short category such as `drift`, `validation`, `rotation`, `flags`. */
  readonly category: string;
  /** ARNs of the resources the ticket is about. */
  readonly resourceArns?: readonly string[];
  /** Structured facts, shown as fields where the tracker supports them. */
  readonly data?: Readonly<Record<string, string>>;
}

export interface OpenTicket {
  readonly dedupKey: string;
  readonly ref: TicketRef;
}

export interface TicketTracker {
  /** File a ticket unless one with the same dedup key is open; `created` says which happened. */
  file(request: TicketRequest): Promise<{ ref: TicketRef; created: boolean }>;
  /** Open tickets whose dedup key starts with the prefix (all open Steward tickets when omitted). */
  listOpen(prefix?: string): Promise<OpenTicket[]>;
  /** Close a ticket with a comment saying why. */
  resolve(ref: TicketRef, comment: string): Promise<void>;
}
