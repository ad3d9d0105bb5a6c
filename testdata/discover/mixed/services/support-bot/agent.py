"""Support bot: answers tickets with the help of two tools."""
import os

from langchain.agents import AgentExecutor, create_tool_calling_agent
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI


@tool
def lookup_order(order_id: str) -> str:
    """Look an order up in the order service."""
    return f"order {order_id}: shipped"


@tool
def refund(order_id: str) -> str:
    """Refund an order."""
    return f"refunded {order_id}"


llm = ChatOpenAI(model="gpt-4o", api_key=os.environ["OPENAI_API_KEY"])
agent = create_tool_calling_agent(llm, [lookup_order, refund], prompt=None)
executor = AgentExecutor(agent=agent, tools=[lookup_order, refund])
