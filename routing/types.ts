/** Shared vocabulary of the INFO CIG domain. */

/** Who signs in. Users write in; staff serve them. */
export const USER_ROLES = ['worker', 'employer', 'intermediary'] as const;
export const STAFF_ROLES = ['advisor', 'office', 'supervisor'] as const;
export const ROLES = [...USER_ROLES, ...STAFF_ROLES] as const;
export type UserRole = (typeof USER_ROLES)[number];
export type StaffRole = (typeof STAFF_ROLES)[number];
export type Role = (typeof ROLES)[number];

/** A queue's audience is the role of the users waiting in it. */
export type Audience = UserRole;
export const AUDIENCES = USER_ROLES;

/** What a user asks about: the wage-integration benefits and payment timing. */
export const TOPICS = ['cigo', 'cigs', 'fis', 'solidarity_fund', 'payment', 'other'] as const;
export type Topic = (typeof TOPICS)[number];

/** Where the chat was opened from. */
export const ENTRIES = ['omnia', 'cassetto', 'worker_area', 'other'] as const;
export type Entry = (typeof ENTRIES)[number];

export function isUserRole(role: string): role is UserRole {
  return (USER_ROLES as readonly string[]).includes(role);
}

export function isStaffRole(role: string): role is StaffRole {
  return (STAFF_ROLES as readonly string[]).includes(role);
}
