// The people of the suite: the owner made at first-run setup, a viewer added by the CLI.
export const OWNER = { email: "owner@example.com", name: "Olivia Owner", password: "violet harbor lantern 42" };
export const VIEWER = { email: "viewer@example.com", name: "Vera Viewer", password: "quiet meadow compass 17" };
