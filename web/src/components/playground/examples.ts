// Operations preloaded in the playground, one per tab.

export interface ExampleTab {
  query: string;
  variables?: string;
}

export const HEALTH: ExampleTab = {
  query: `# Public: works without signing in.
query Health {
  health
}
`,
};

export const ME: ExampleTab = {
  query: `# Who am I? The playground adds your access token to every request.
query Me {
  me {
    email
    name
  }
}
`,
};

export const TASKS: ExampleTab = {
  query: `# Your tasks, newest first. status: ALL, PENDING or COMPLETED; first: 1-100.
query Tasks($status: TaskStatus, $first: Int, $after: String) {
  tasks(status: $status, first: $first, after: $after) {
    totalCount
    nodes {
      id
      title
      completed
      version
    }
    pageInfo {
      endCursor
      hasNextPage
    }
  }
}
`,
  variables: JSON.stringify({ status: 'ALL', first: 20 }, null, 2),
};

export const CREATE_TASK: ExampleTab = {
  query: `mutation CreateTask($input: CreateTaskInput!) {
  createTask(input: $input) {
    id
    title
    description
    completed
  }
}
`,
  variables: JSON.stringify({ input: { title: 'Try the playground', description: 'Created from GraphiQL' } }, null, 2),
};

export const TOGGLE_TASK: ExampleTab = {
  query: `# Paste an id from the Tasks tab into the variables below.
mutation ToggleTask($id: ID!) {
  toggleTask(id: $id) {
    id
    completed
    version
  }
}
`,
  variables: JSON.stringify({ id: 'paste-a-task-id' }, null, 2),
};

export const TASK_EVENTS: ExampleTab = {
  query: `# Live: run it, then add, tick, edit or delete a task (here or on another device).
# Each change shows below as it happens, until you stop it with the ■ button.
subscription TaskEvents {
  taskEvents {
    type
    taskId
    task {
      id
      title
      completed
      version
    }
  }
}
`,
};

export function exampleTabs(signedIn: boolean): ExampleTab[] {
  return signedIn
    ? [ME, TASKS, CREATE_TASK, TOGGLE_TASK, TASK_EVENTS, HEALTH]
    : [HEALTH, ME, TASKS, CREATE_TASK, TOGGLE_TASK, TASK_EVENTS];
}
