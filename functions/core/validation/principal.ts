/**
 * Recognising the validator's own writes. Parameter Store records the writer as `LastModifiedUser`:
 * for a Lambda that is its role's session, `arn:aws:sts::<account>:assumed-role/<role-name>/<session>`.
 */

/** The role name of a role ARN (`arn:aws:iam::1:role/path/name` → `name`), or the input when it is a name. */
export function roleNameOf(principal: string): string {
  const match = /^arn:aws[a-z-]*:iam::\d*:role\/(?:.*\/)?([^/]+)$/.exec(principal);
  return match ? match[1]! : principal;
}

/**
 * True when `lastModifiedUser` is the validator: its role ARN itself, or a session of its role.
 *
 * @example
 * isOwnWrite('arn:aws:sts::123456789012:assumed-role/steward-validate/fn', 'steward-validate'); // true
 */
export function isOwnWrite(lastModifiedUser: string | undefined, principal: string | undefined): boolean {
  if (!lastModifiedUser || !principal) return false;
  if (lastModifiedUser === principal) return true;
  const roleName = roleNameOf(principal);
  return (
    lastModifiedUser.includes(`:assumed-role/${roleName}/`) || lastModifiedUser.endsWith(`:role/${roleName}`)
  );
}
