import { Problems } from '../_internal/problems';
import { IBasicAuthSecret } from './basic-auth-secret';

// ingress-nginx's auth-realm validator (CharsWithSpace)
const REALM = /^[/\-._~a-zA-Z0-9: ]*$/;

/** Problems shared by every dashboard exposure: the realm, and the auth Secret in the exposure's namespace. */
export function dashboardAuthProblems(realm: string, auth: IBasicAuthSecret, namespace: string): string[] {
  const problems = new Problems();
  if (!REALM.test(realm)) {
    problems.add(`realm ${JSON.stringify(realm)} has characters ingress-nginx rejects: use letters, digits, spaces and / - . _ ~ :`);
  } else if (realm.trim() === '') {
    problems.add('realm must not be empty: browsers show it in the login prompt, and an empty auth_basic realm is no realm');
  } else if (realm.trim().toLowerCase() === 'off') {
    // nginx's auth_basic "off" switches basic auth off for the location; the controller renders the realm into that directive
    problems.add(`realm ${JSON.stringify(realm)} would render auth_basic "off", which turns nginx's basic auth off: choose another realm`);
  }
  if (auth.secretNamespace !== namespace) {
    problems.add(`auth Secret ${auth.secretNamespace}/${auth.secretName} must be in the dashboard's namespace ${JSON.stringify(namespace)}: `
      + 'ingress controllers read it from the namespace of the Ingress (cross-namespace Secrets are refused by default)');
  }
  return [...problems.list];
}
