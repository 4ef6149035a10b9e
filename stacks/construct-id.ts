/** `organizations-account-joined` → `OrganizationsAccountJoined`: construct ids from core's kebab-case rule ids. */
export function pascalCase(kebab: string): string {
  return kebab
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}
