import axios from "axios";

export async function getUser(id: string) {
  const response = await fetch(`https://api.example.com/users/${id}`);
  const tools = await axios.get("/api/tools");
  return { user: await response.json(), tools: tools.data };
}
