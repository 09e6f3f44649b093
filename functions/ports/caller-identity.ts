/** Who is calling AWS: the actor a manual action (a kill-switch flip) is recorded under. */
export interface CallerIdentity {
  /** The caller's ARN (an IAM user, or an assumed role's session). */
  callerArn(): Promise<string>;
}
