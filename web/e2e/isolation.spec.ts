import {
  PASSWORD,
  SCREENS,
  addTask,
  alert,
  expect,
  filterButton,
  signIn,
  signOut,
  signUp,
  taskTitles,
  test,
  uniqueEmail,
} from './fixtures';

test("a second user sees none of the first user's tasks, and each gets their own back", async ({ page }) => {
  const ada = { name: 'Ada First', email: uniqueEmail('first') };
  const bob = { name: 'Bob Second', email: uniqueEmail('second') };

  await signUp(page, ada);
  await addTask(page, 'Ada’s private plan');
  await addTask(page, 'Ada’s shopping list');
  await signOut(page);

  // Signing up with Ada's email again is refused in words.
  await page.goto('/sign-up');
  await page.getByLabel('Name').fill('Impostor');
  await page.getByLabel('Email').fill(ada.email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(
    alert(page, 'An account with this email already exists. Sign in instead, or use another email.'),
  ).toBeVisible();

  await signUp(page, bob);
  await expect(page.getByText('No tasks yet. Add your first one above.')).toBeVisible();
  await expect(filterButton(page, 'All')).toHaveText('All 0');
  await expect(page.getByText(/Ada’s/)).toHaveCount(0);
  await addTask(page, 'Bob’s only task');
  await page.screenshot({ path: `${SCREENS}/second-user.png` });
  await signOut(page);

  // A wrong password is refused in words; the right one brings Ada's tasks back, and only hers.
  await page.getByLabel('Email').fill(ada.email);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(alert(page, 'That email and password do not match an account.')).toBeVisible();
  await signIn(page, { email: ada.email });
  await expect(taskTitles(page)).toHaveText(['Ada’s shopping list', 'Ada’s private plan']);
  await expect(page.getByText('Bob’s only task')).toHaveCount(0);
});

test('repeated wrong passwords are slowed down, and the page says so in words', async ({ page }) => {
  const email = uniqueEmail('locked');
  await signUp(page, { name: 'Careful Typist', email });
  await signOut(page);

  // The e2e API allows 3 failed sign-ins per account per minute.
  for (let attempt = 1; attempt <= 3; attempt++) {
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(`wrong password ${attempt}`);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(alert(page, 'That email and password do not match an account.')).toBeVisible();
  }
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(alert(page, /^Too many attempts\. Wait \d+ seconds? and try again\.$/)).toBeVisible();
  await expect(page).toHaveURL(/\/sign-in/);
});
