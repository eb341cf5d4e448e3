// Every GraphQL operation the task screens use. `npm run codegen` turns them into typed documents
// in src/gql/ (no hand-written result types).
import { graphql } from '../../gql';

export const PAGE_SIZE = 20;

export const TaskFieldsFragment = graphql(`
  fragment TaskFields on Task {
    id
    title
    description
    completed
    createdAt
    updatedAt
    version
  }
`);

export const TasksQuery = graphql(`
  query Tasks($status: TaskStatus!, $first: Int!, $after: String) {
    tasks(status: $status, first: $first, after: $after) {
      totalCount
      nodes {
        ...TaskFields
      }
      pageInfo {
        endCursor
        hasNextPage
      }
    }
  }
`);

/** One count per filter; `first: 1` because the API's page size is 1–100. */
export const TaskCountsQuery = graphql(`
  query TaskCounts {
    all: tasks(status: ALL, first: 1) {
      totalCount
    }
    pending: tasks(status: PENDING, first: 1) {
      totalCount
    }
    completed: tasks(status: COMPLETED, first: 1) {
      totalCount
    }
  }
`);

export const TaskQuery = graphql(`
  query Task($id: ID!) {
    task(id: $id) {
      ...TaskFields
    }
  }
`);

export const CreateTaskMutation = graphql(`
  mutation CreateTask($input: CreateTaskInput!) {
    createTask(input: $input) {
      ...TaskFields
    }
  }
`);

export const UpdateTaskMutation = graphql(`
  mutation UpdateTask($id: ID!, $input: UpdateTaskInput!, $expectedVersion: Int) {
    updateTask(id: $id, input: $input, expectedVersion: $expectedVersion) {
      ...TaskFields
    }
  }
`);

export const ToggleTaskMutation = graphql(`
  mutation ToggleTask($id: ID!) {
    toggleTask(id: $id) {
      id
      completed
      updatedAt
      version
    }
  }
`);

export const DeleteTaskMutation = graphql(`
  mutation DeleteTask($id: ID!) {
    deleteTask(id: $id)
  }
`);

/** Every change to the user's tasks, from any client (over the LiveSocket; cache.ts applies it). */
export const TaskEventsSubscription = graphql(`
  subscription TaskEvents {
    taskEvents {
      type
      taskId
      task {
        ...TaskFields
      }
    }
  }
`);
