// Who is signed in, shared by every page.

export const session = { user: null };
